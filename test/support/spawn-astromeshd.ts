import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.ts';
import { agentYaml } from './start-test-runtime.ts';
import { testCompileCacheDir } from './test-compile-cache-dir.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** One JSON log record astromeshd wrote on stdout (pino's fields plus the record's own). */
export interface LogRecord {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AstromeshdProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** The complete stdout lines so far (a line still being written is left out). */
  stdoutLines(): string[];
  /** stdoutLines() parsed; throws naming the first line that is not JSON. */
  logs(): LogRecord[];
  /** Waits for the first log record with this msg, e.g. 'astromeshd listening'. */
  waitForLog(msg: string): Promise<LogRecord>;
  /** Settles when the process has exited, with its code or the signal that ended it. */
  readonly exited: Promise<ProcessExit>;
  /** Like `exited`, but fails if the process is still running after `deadlineMs`. */
  exitWithin(deadlineMs: number): Promise<ProcessExit>;
  /** SIGKILL if still running, then waits for the exit; safe to call at any time, more than once. */
  kill(): Promise<void>;
}

/**
 * Runs astromeshd as a real child process: `node runtime/main.ts …args` with the Node that runs
 * the tests (Node 24). The environment holds only PATH, with that Node first, and the tests'
 * compile cache, so no key of the developer's shell reaches the runtime; `command` replaces
 * `node runtime/main.ts` (e.g. to run `./runtime/main.ts` through its shebang), relative to the
 * repository root.
 */
export function spawnAstromeshd(
  args: string[],
  options: { command?: string; env?: NodeJS.ProcessEnv; stdin?: 'ignore' | 'pipe' } = {},
): AstromeshdProcess {
  const [command, commandArgs] = options.command
    ? [options.command, args]
    : [process.execPath, ['runtime/main.ts', ...args]];
  const child = spawn(command, commandArgs, {
    cwd: repoRoot,
    env: {
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      // Modules compiled once a run, not once a process: the tests start hundreds of these.
      NODE_COMPILE_CACHE: testCompileCacheDir,
      ...options.env,
    },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<ProcessExit>((resolve, reject) => {
    child.once('error', reject);
    // 'close' rather than 'exit': by then stdout and stderr have been read to the end.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let exit: ProcessExit | undefined;
  // The rejection (a failed spawn) is for whoever awaits `exited`; this branch must not be unhandled.
  exited.then(
    (result) => {
      exit = result;
    },
    () => {},
  );

  const stdoutLines = () => stdout.split('\n').slice(0, -1);
  const logs = () =>
    stdoutLines().map((line) => {
      try {
        return JSON.parse(line) as LogRecord;
      } catch {
        throw new Error(`astromeshd wrote a stdout line that is not JSON: ${line}`);
      }
    });

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stdoutLines,
    logs,
    waitForLog: (msg) =>
      eventually(
        () => {
          const record = logs().find((candidate) => candidate.msg === msg);
          if (record) return record;
          const state = exit ? `exited (${exit.code ?? exit.signal})` : 'is running';
          throw new Error(`astromeshd ${state} and has not logged '${msg}'; stderr:\n${stderr}`);
        },
        { timeoutMs: 20_000 },
      ),
    exited,
    exitWithin(deadlineMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`astromeshd was still running ${deadlineMs} ms later`)), deadlineMs);
      });
      return Promise.race([exited, deadline]).finally(() => clearTimeout(timer));
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited.catch(() => {});
    },
  };
}

/**
 * astromeshd over a folder laid out as `agents/`, `credentials.yaml` and `data/`, with PostgreSQL
 * conversation memory at `memoryUrl` in the schema org_acme (as the Cloud API starts an org's
 * runtime); resolves with its URL once it listens. The caller kills it.
 */
export async function spawnAstromeshdWithPostgresMemory(
  dir: string,
  memoryUrl: string,
): Promise<{ url: string; process: AstromeshdProcess }> {
  const astromeshd = spawnAstromeshd([
    '--port',
    '0',
    '--agents-dir',
    join(dir, 'agents'),
    '--credentials',
    join(dir, 'credentials.yaml'),
    '--data-dir',
    join(dir, 'data'),
    '--memory',
    memoryUrl,
    '--memory-schema',
    'org_acme',
  ]);
  try {
    const { port } = await astromeshd.waitForLog('astromeshd listening');
    return { url: `http://127.0.0.1:${port as number}`, process: astromeshd };
  } catch (err) {
    await astromeshd.kill();
    throw err;
  }
}

/**
 * A temporary astromeshd folder for spawnAstromeshdWithPostgresMemory: one agent `greeter` on the
 * fake OpenAI provider at `fakeBaseUrl`, with PostgreSQL conversation memory. The caller removes it.
 */
export function writeGreeterWithPostgresMemory(fakeBaseUrl: string, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'agents'));
  writeFileSync(
    join(dir, 'agents', 'greeter.yaml'),
    agentYaml('greeter', {
      model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
      prompts: { system: 'You greet people.' },
      memory: { conversational: { backend: 'postgres', strategy: 'sliding_window' } },
    }),
  );
  writeFileSync(join(dir, 'credentials.yaml'), `OPENAI_API_KEY: sk-test\nOPENAI_BASE_URL: ${fakeBaseUrl}\n`);
  return dir;
}
