import { type FSWatcher, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';

const debounceMs = 50;

/**
 * Keeps what a config directory holds in step with it: `scanOnce` runs at start, 50 ms after
 * changes settle (fs.watch), and every `rescanIntervalMs` (5 s; 0: never) for changes a watch
 * misses (a ConfigMap's symlink swap, network filesystems). Scans never overlap: calls queue. A
 * scan that throws is logged, and the next one tries again. `watchParent` also watches the
 * directory's parent, for the names it accepts (upstream keeps providers files there).
 */
export function watchConfigDir(deps: {
  dir: string;
  scanOnce: () => Promise<void>;
  log: Logger;
  /** What the directory holds, for log lines: "agents", "RAG pipelines". */
  what: string;
  rescanIntervalMs?: number;
  watchParent?: (name: string) => boolean;
}) {
  const { dir, log, what } = deps;
  let watcher: FSWatcher | undefined;
  let parentWatcher: FSWatcher | undefined;
  let interval: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let scanning: Promise<void> = Promise.resolve();

  function rescan(): Promise<void> {
    scanning = scanning.then(deps.scanOnce).catch((err: unknown) => {
      log.error({ err, dir }, `cannot read the ${what} of the config directory`);
    });
    return scanning;
  }
  const rescanSoon = () => {
    clearTimeout(debounce);
    debounce = setTimeout(rescan, debounceMs);
  };

  return {
    async start(): Promise<void> {
      await rescan();
      watcher = watch(dir, rescanSoon);
      watcher.on('error', (err) => log.error({ err, dir }, `watching the ${what} directory failed`));
      const { watchParent } = deps;
      if (watchParent) {
        try {
          parentWatcher = watch(dirname(resolve(dir)), (_event, name) => {
            if (name === null || watchParent(String(name))) rescanSoon();
          });
          parentWatcher.on('error', () => parentWatcher?.close());
        } catch {
          // An unwatchable parent still gets the periodic rescan.
        }
      }
      const rescanIntervalMs = deps.rescanIntervalMs ?? 5_000;
      if (rescanIntervalMs > 0) interval = setInterval(rescan, rescanIntervalMs).unref();
    },
    rescan,
    async close(): Promise<void> {
      watcher?.close();
      parentWatcher?.close();
      clearInterval(interval);
      clearTimeout(debounce);
      await scanning;
    },
  };
}
