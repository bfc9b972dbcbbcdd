import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';

const repositoryRoot = join(import.meta.dirname, '..', '..', '..');
const startTimeoutMs = 30_000;
const stopTimeoutMs = 10_000;
const firstRestartDelayMs = 500;
const maxRestartDelayMs = 30_000;
// A runtime that stayed up this long is healthy again: its next crash restarts it quickly.
const healthyAfterMs = 60_000;

export interface ServedAgent {
  name: string;
  status: string;
  error?: string;
}

export interface OrgRuntimeProcess {
  /** The runtime's URL once it listens (after a restart: the new one). */
  baseUrl(): Promise<string>;
  /** Makes the runtime re-read its agents and credentials now; answers what it serves. */
  reload(): Promise<ServedAgent[]>;
  stop(): Promise<void>;
}

interface RuntimeOptions {
  orgSlug: string;
  agentsDir: string;
  credentialsFile: string;
  tokenFile: string;
  /** The org's own --data-dir: otherwise every org's runtime would share the user's default. */
  dataDir: string;
  memoryUrl: string | undefined;
  log: Logger;
  nodePath?: string;
  runtimeEntry?: string;
  /** Where PATH and HOME come from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Node's compile cache (NODE_COMPILE_CACHE), shared by the org runtimes: it holds compiled
   * runtime code only, keyed by each file's content, and halves a runtime's start-up CPU (0.8 s to
   * 0.45 s here), which a call waking a sleeping org waits for.
   */
  compileCacheDir?: string;
}

/**
 * One org's astromeshd, supervised: if it exits without being asked to, it is started again
 * after a delay that doubles on each crash (0.5 s up to 30 s) and resets once it has run for a
 * minute.
 */
export function startOrgRuntime(options: RuntimeOptions): OrgRuntimeProcess {
  const { log } = options;
  let child: ChildProcess | undefined;
  let listening: Promise<string> = Promise.resolve('');
  let stopping = false;
  let restartDelayMs = firstRestartDelayMs;
  let restartTimer: NodeJS.Timeout | undefined;

  function launch(): void {
    const startedAt = Date.now();
    const args = [
      options.runtimeEntry ?? join(repositoryRoot, 'runtime', 'main.ts'),
      '--agents-dir',
      options.agentsDir,
      '--credentials',
      options.credentialsFile,
      '--auth-token-file',
      options.tokenFile,
      '--data-dir',
      options.dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--shutdown-timeout',
      '5',
      // This process stops its runtime only when it has no more calls to send it: no keep-alive
      // connection of ours needs to linger.
      '--shutdown-linger-seconds',
      '0',
      // Our end of its stdin closes when this process dies, however it dies: no orphaned runtimes.
      '--stop-when-stdin-closes',
      // A shared platform runs no org's programs: MCP servers are reached over Streamable HTTP only.
      '--disable-mcp-stdio',
      ...(options.memoryUrl ? ['--memory-schema', memorySchemaOf(options.orgSlug)] : []),
    ];
    // Only what the runtime needs: the API's own secrets (JWT key, master key) stay out of it, and
    // the database URL goes by environment, not argv, where `ps` would show its password.
    const from = options.env ?? process.env;
    const env = {
      PATH: from.PATH ?? '',
      HOME: from.HOME ?? '',
      ...(options.memoryUrl ? { ASTROMESH_MEMORY_URL: options.memoryUrl } : {}),
      ...(options.compileCacheDir ? { NODE_COMPILE_CACHE: options.compileCacheDir } : {}),
    };
    const spawned = spawn(options.nodePath ?? process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child = spawned;
    listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the runtime did not start within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      createInterface({ input: spawned.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const record = parseLogLine(line);
        if (record?.msg === 'astromeshd listening' && typeof record.port === 'number') {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${record.port}`);
        }
        if (record && typeof record.level === 'number' && record.level >= 40)
          log.warn({ runtime: record }, 'org runtime reported');
      });
      spawned.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the runtime exited (code ${code}, signal ${signal}) before it listened`));
      });
    });
    listening.catch(() => undefined);
    createInterface({ input: spawned.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      log.warn({ line }, 'org runtime stderr');
    });
    spawned.once('exit', (code, signal) => {
      if (stopping) return;
      const ranMs = Date.now() - startedAt;
      if (ranMs >= healthyAfterMs) restartDelayMs = firstRestartDelayMs;
      log.error({ code, signal, ranMs, restartInMs: restartDelayMs }, 'org runtime exited; restarting');
      restartTimer = setTimeout(launch, restartDelayMs);
      restartDelayMs = Math.min(restartDelayMs * 2, maxRestartDelayMs);
    });
  }

  launch();

  const baseUrl = () => listening;
  const token = () => readFileSync(options.tokenFile, 'utf8').trim();

  return {
    baseUrl,
    async reload(): Promise<ServedAgent[]> {
      const response = await fetch(`${await baseUrl()}/v1/system/reload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token()}` },
      });
      if (!response.ok) throw new Error(`the runtime answered ${response.status} to a reload`);
      return ((await response.json()) as { agents: ServedAgent[] }).agents;
    },
    async stop(): Promise<void> {
      stopping = true;
      clearTimeout(restartTimer);
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => running.kill('SIGKILL'), stopTimeoutMs);
        running.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        running.kill('SIGTERM');
      });
    },
  };
}

/** PostgreSQL schema of an org's conversation memory: `org_` plus the slug, `-` as `_`. */
export function memorySchemaOf(orgSlug: string): string {
  return `org_${orgSlug.replaceAll('-', '_')}`;
}

function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(line) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
