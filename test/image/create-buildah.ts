import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ImageStore } from './locate-image-store.ts';
import { runCommand } from './run-command.ts';

export interface Buildah {
  store: ImageStore;
  /** Runs `buildah <store flags> …args`, output in logs/<logName>.log; resolves with stdout, trimmed. */
  run(args: string[], step: { label: string; logName: string }): Promise<string>;
  /** The image's ID in the store, or undefined when the store has no image by that name. */
  imageId(reference: string): string | undefined;
}

/** buildah pointed at our own store, so nothing lands in (or depends on) the machine's default one. */
export function createBuildah(deps: { store: ImageStore; logDir: string; log: (line: string) => void }): Buildah {
  const { store, logDir, log } = deps;
  return {
    store,
    run: async (args, step) =>
      (
        await runCommand('buildah', [...store.flags, ...args], {
          label: step.label,
          logFile: join(logDir, `${step.logName}.log`),
          log,
        })
      ).trim(),
    imageId: (reference) => {
      const inspected = spawnSync(
        'buildah',
        [...store.flags, 'inspect', '--type', 'image', '--format', '{{.FromImageID}}', reference],
        { encoding: 'utf8' },
      );
      return inspected.status === 0 ? inspected.stdout.trim() || undefined : undefined;
    },
  };
}
