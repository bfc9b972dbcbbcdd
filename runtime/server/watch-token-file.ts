import { type FSWatcher, readFileSync, watch } from 'node:fs';
import type { Logger } from 'pino';

/**
 * The runtime's bearer token, read from a file (a mounted Secret) and re-read when it changes,
 * so the Cloud API can rotate it without restarting the pod. No file: no token required.
 */
export function watchTokenFile(path: string | undefined, log: Logger) {
  if (!path) return { current: () => undefined, close: async () => {} };
  const read = () => {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length < 16) throw new Error(`${path}: the token must be at least 16 characters`);
    return token;
  };
  let token = read();
  const reload = () => {
    try {
      const next = read();
      if (next !== token) log.info({ path }, 'auth token rotated');
      token = next;
    } catch (err) {
      log.error({ path, error: (err as Error).message }, 'cannot read the auth token file; keeping the previous token');
    }
  };
  const watcher: FSWatcher = watch(path, reload);
  const interval = setInterval(reload, 5_000).unref();
  return {
    current: (): string | undefined => token,
    close: async () => {
      watcher.close();
      clearInterval(interval);
    },
  };
}
