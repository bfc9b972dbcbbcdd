import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Buildah } from './create-buildah.ts';

/**
 * A docker-archive rather than an OCI archive: `ctr images import` names the image from its
 * RepoTags exactly, and its layers are not compressed, which imports faster than it would save.
 * Written beside the final path and renamed, so an interrupted export never looks finished.
 */
export async function exportDockerArchive(params: { buildah: Buildah; reference: string; archive: string }) {
  const { buildah, reference, archive } = params;
  const scratch = `${archive}.partial-${process.pid}`;
  mkdirSync(dirname(archive), { recursive: true });
  rmSync(scratch, { force: true });
  try {
    await buildah.run(['push', '--quiet', reference, `docker-archive:${scratch}:${reference}`], {
      label: `exporting ${reference}`,
      logName: 'export',
    });
    renameSync(scratch, archive);
  } finally {
    rmSync(scratch, { force: true });
  }
}
