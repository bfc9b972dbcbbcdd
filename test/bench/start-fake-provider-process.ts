import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Starts fake-provider-process.ts (a fake OpenAI provider in a process of its own, so it never
 * shares the load generator's event loop) and resolves with its base URL, e.g.
 * http://127.0.0.1:PORT/v1. The caller stops the child.
 */
export async function startFakeProviderProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'fake-provider-process.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`the fake provider exited (${signal ?? code}) first`)));
  });
  const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const firstLine = (async () => {
    for await (const line of reader) return line;
    throw new Error('the fake provider printed no URL');
  })();
  const url = await Promise.race([firstLine, exited]);
  return { url, child };
}
