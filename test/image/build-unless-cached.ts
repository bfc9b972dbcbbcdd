import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Buildah } from './create-buildah.ts';
import { exportDockerArchive } from './export-docker-archive.ts';

interface Stamp {
  key: string;
  imageId: string;
}

export interface CachedBuild {
  /** What the build makes, for progress lines: 'stand-in PostgreSQL image'. */
  title: string;
  reference: string;
  /** Written after a build: the recipe key and the image ID it made. */
  stampFile: string;
  /** Everything the image is made from (versions, the recipe's own source); a change rebuilds. */
  keyParts: string[];
  /** The docker-archive to write for containerd, if the image needs one. */
  archive?: string;
  buildah: Buildah;
  log: (line: string) => void;
  /** Builds and commits `reference` into the store. */
  build: () => Promise<void>;
}

/**
 * Builds an image only when its recipe changed or its result is gone: the stamp holds the
 * recipe's key and the image ID it produced, and both the store's image and the archive must
 * still be there. Returns whether it built.
 */
export async function buildUnlessCached(spec: CachedBuild): Promise<boolean> {
  const key = createHash('sha256').update(spec.keyParts.join('\0')).digest('hex');
  const stamp = readStamp(spec.stampFile);
  const imageId = spec.buildah.imageId(spec.reference);
  const isCached =
    stamp?.key === key &&
    imageId !== undefined &&
    stamp.imageId === imageId &&
    (spec.archive === undefined || existsSync(spec.archive));
  if (isCached) {
    spec.log(`${spec.title}: cached (${spec.reference})`);
    return false;
  }
  const startedAt = Date.now();
  spec.log(`${spec.title}: building ${spec.reference}`);
  rmSync(spec.stampFile, { force: true });
  await spec.build();
  const builtId = spec.buildah.imageId(spec.reference);
  if (!builtId) throw new Error(`${spec.title}: the build finished but the store has no ${spec.reference}`);
  if (spec.archive)
    await exportDockerArchive({ buildah: spec.buildah, reference: spec.reference, archive: spec.archive });
  mkdirSync(dirname(spec.stampFile), { recursive: true });
  writeFileSync(spec.stampFile, `${JSON.stringify({ key, imageId: builtId } satisfies Stamp)}\n`);
  spec.log(`${spec.title}: built in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  return true;
}

function readStamp(file: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}
