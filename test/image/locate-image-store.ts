import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export type StorageDriver = 'overlay' | 'vfs';

/** buildah's local image store for these builds: its own folders, never the machine's default store. */
export interface ImageStore {
  driver: StorageDriver;
  root: string;
  runRoot: string;
  /** The global flags that point buildah at this store. */
  flags: string[];
}

/**
 * The store under the images cache, one per storage driver (a store cannot change driver).
 * overlay where the cache's filesystem can carry it: with vfs every build step copies the whole
 * root filesystem, and a warm rebuild after a source change took 3 min 43 s here against 17 s
 * with overlay. vfs otherwise (an overlay cache inside a container's overlay, say), or when
 * ASTROMESH_IMAGE_STORAGE_DRIVER=vfs asks for it.
 */
export function locateImageStore(imagesDir: string, env: NodeJS.ProcessEnv = process.env): ImageStore {
  const requested = env.ASTROMESH_IMAGE_STORAGE_DRIVER;
  if (requested !== undefined && requested !== 'overlay' && requested !== 'vfs') {
    throw new Error(`ASTROMESH_IMAGE_STORAGE_DRIVER: expected overlay or vfs, got '${requested}'`);
  }
  const driver: StorageDriver = requested ?? (canMountOverlay(imagesDir) ? 'overlay' : 'vfs');
  const root = join(imagesDir, 'storage', driver);
  const runRoot = join(imagesDir, 'storage', `${driver}-run`);
  return { driver, root, runRoot, flags: ['--root', root, '--runroot', runRoot, '--storage-driver', driver] };
}

function canMountOverlay(imagesDir: string): boolean {
  const probe = join(imagesDir, 'storage', `overlay-probe-${process.pid}`);
  const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((name) => join(probe, name));
  for (const dir of [lower, upper, work, merged]) mkdirSync(dir as string, { recursive: true });
  try {
    const mounted = spawnSync(
      'mount',
      ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged as string],
      { stdio: 'ignore' },
    );
    if (mounted.status !== 0) return false;
    spawnSync('umount', [merged as string], { stdio: 'ignore' });
    return true;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
