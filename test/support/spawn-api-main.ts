import { quickstartEnd, quickstartStart } from '../../api/cli/quickstart.ts';
import { eventually } from './eventually.ts';
import { type AstromeshdProcess, type LogRecord, spawnAstromeshd } from './spawn-astromeshd.ts';

export interface ApiMainProcess extends AstromeshdProcess {
  /** The JSON log records on stdout; the quickstart's plain lines are left out. */
  logs(): LogRecord[];
  waitForLog(msg: string, options?: { timeoutMs?: number }): Promise<LogRecord>;
  /** Waits for the quickstart and returns it, markers included, exactly as printed. */
  quickstart(): Promise<string>;
  /**
   * SIGTERM, then waits for the exit: the API stops its org runtimes and its PostgreSQL itself,
   * which a SIGKILL would leave running. SIGKILL only if it is still running at the deadline.
   */
  stop(deadlineMs?: number): Promise<void>;
}

/**
 * Runs the Cloud API the way `npm start` does (`node api/main.ts`) as a child process, with the
 * Node that runs the tests and an environment holding only PATH and `env`, and no shutdown linger
 * unless `env` asks for one: a test's fetch keeps connections alive that would hold every stop up.
 */
export function spawnApiMain(options: { env?: NodeJS.ProcessEnv; args?: string[] } = {}): ApiMainProcess {
  const child = spawnAstromeshd(['api/main.ts', ...(options.args ?? [])], {
    command: process.execPath,
    env: { ASTROMESH_SHUTDOWN_LINGER_SECONDS: '0', ...options.env },
  });
  const logs = () =>
    child
      .stdoutLines()
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogRecord);
  const stateOf = async () => {
    const exit = await Promise.race([child.exited, Promise.resolve(undefined)]);
    return exit ? `exited (${exit.code ?? exit.signal})` : 'is running';
  };
  return {
    ...child,
    logs,
    waitForLog: (msg, waitOptions = {}) =>
      eventually(
        async () => {
          const record = logs().find((candidate) => candidate.msg === msg);
          if (record) return record;
          throw new Error(`the API ${await stateOf()} and has not logged '${msg}'; stderr:\n${child.stderr()}`);
        },
        { timeoutMs: waitOptions.timeoutMs ?? 60_000 },
      ),
    async stop(deadlineMs = 30_000) {
      if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGTERM');
      await child.exitWithin(deadlineMs).catch(() => child.kill());
    },
    quickstart: () =>
      eventually(
        async () => {
          const stdout = child.stdout();
          const start = stdout.indexOf(quickstartStart);
          const end = stdout.indexOf(quickstartEnd);
          if (start === -1 || end === -1) {
            throw new Error(
              `the API ${await stateOf()} and has not printed its quickstart; stderr:\n${child.stderr()}`,
            );
          }
          return stdout.slice(start, end + quickstartEnd.length);
        },
        { timeoutMs: 60_000 },
      ),
  };
}
