import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const startTimeoutMs = 60_000;
const logTailLines = 40;

export interface UpstreamRuntime {
  url: string;
  child: ChildProcess;
  /** The last lines upstream wrote (stdout and stderr), for an error that says why it failed. */
  logTail: () => string;
}

/**
 * Starts upstream Astromesh's runtime server the way its docs start it (`uvicorn
 * astromesh.api.main:app`, one worker) from a virtualenv's python, on a free loopback port, with
 * its agents read from `configDir`/agents; resolves once uvicorn says it is running. Upstream
 * logs at DEBUG by default (four lines per run) and uvicorn logs every request: with logs 'quiet'
 * both are turned down to INFO and no access log, so neither runtime writes a line per run;
 * 'shipped' keeps upstream's defaults. A start that fails or takes over 60 s rejects with the log
 * tail. The caller stops the child.
 */
export async function startUpstreamRuntime(options: {
  python: string;
  configDir: string;
  env: Record<string, string>;
  logs: 'quiet' | 'shipped';
}): Promise<UpstreamRuntime> {
  const quiet = options.logs === 'quiet';
  const child = spawn(
    options.python,
    [
      ...['-m', 'uvicorn', 'astromesh.api.main:app', '--host', '127.0.0.1', '--port', '0'],
      ...(quiet ? ['--no-access-log'] : []),
    ],
    {
      cwd: options.configDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ASTROMESH_CONFIG_DIR: options.configDir,
        ...(quiet ? { ASTROMESH_LOG_LEVEL: 'INFO' } : {}),
        // Agents come from the folder only; nothing is written back to it.
        ASTROMESH_PERSIST_AGENTS: '0',
        ...options.env,
      },
    },
  );
  const lines: string[] = [];
  const logTail = () => lines.join('\n');
  const url = new Promise<string>((resolve) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream as NodeJS.ReadableStream }).on('line', (line) => {
        lines.push(line);
        if (lines.length > logTailLines) lines.shift();
        const running = /Uvicorn running on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (running?.[1]) resolve(running[1]);
      });
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    const fail = (why: string) => reject(new Error(`upstream astromesh ${why}; its log ends:\n${logTail()}`));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before listening`));
    child.once('error', (err) => fail(`could not be started (${err.message})`));
    timer = setTimeout(() => fail(`did not listen within ${startTimeoutMs / 1000} s`), startTimeoutMs);
  });
  try {
    return { url: await Promise.race([url, failed]), child, logTail };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
