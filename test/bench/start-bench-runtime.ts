import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const repoRoot = join(import.meta.dirname, '..', '..');

/**
 * Starts astromeshd (this Node, runtime/main.ts) on a free port with these agents and
 * credentials, its stderr shown, and resolves once it listens. OPENAI_API_KEY is blanked so a
 * developer's key never reaches the benchmark's fake provider. `nodeFlags` go before the script
 * (the image's heap flags); `ipc` opens a channel to the child (for a preloaded reporter). The
 * caller stops the child.
 */
export async function startBenchRuntime(
  agentsDir: string,
  credentials: string,
  options: { nodeFlags?: string[]; ipc?: boolean } = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? []),
      join(repoRoot, 'runtime', 'main.ts'),
      '--agents-dir',
      agentsDir,
      '--port',
      '0',
      '--credentials',
      credentials,
      // The bench's keep-alive pool would hold the SIGTERM that ends the bench up for the linger.
      '--shutdown-linger-seconds',
      '0',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit', ...(options.ipc ? (['ipc'] as const) : [])],
      env: { ...process.env, OPENAI_API_KEY: '' },
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`astromeshd exited (${signal ?? code}) before listening`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'astromeshd listening' && entry.port) resolve(entry.port);
    });
  });
  return { url: `http://127.0.0.1:${port}`, child };
}
