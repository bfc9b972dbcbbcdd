import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const layerMediaType = 'application/vnd.oci.image.layer.v1.tar';
const configMediaType = 'application/vnd.oci.image.config.v1+json';
const manifestMediaType = 'application/vnd.oci.image.manifest.v1+json';
const indexMediaType = 'application/vnd.oci.image.index.v1+json';

/**
 * Writes an OCI image archive holding one binary at `/<name>` as its entrypoint (what a `FROM
 * scratch` + `COPY` Dockerfile makes), for `ctr images import`. The node's own images (its
 * CoreDNS) are just a Go binary, so this needs neither buildah nor its storage. A dynamically
 * linked binary (a Go build with cgo) gets the shared libraries `ldd` names, at the same paths.
 * The archive's bytes depend only on those files, so the same binary gives the same image ID.
 */
export function writeSingleBinaryImage(params: { binary: string; reference: string; archive: string }): void {
  const { binary, reference, archive } = params;
  const name = binary.split('/').at(-1) ?? 'entrypoint';
  const work = mkdtempSync(join(dirname(archive), '.image-'));
  try {
    const rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    copyFileSync(binary, join(rootfs, name));
    for (const library of sharedLibraries(binary)) {
      mkdirSync(join(rootfs, dirname(library)), { recursive: true });
      copyFileSync(library, join(rootfs, library));
    }
    const layout = join(work, 'layout');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    const layerFile = join(work, 'layer.tar');
    // Fixed owner and mtime: the layer digest depends on the binary alone.
    execFileSync('tar', [
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mtime=@0',
      '-C',
      rootfs,
      '--sort=name',
      '-cf',
      layerFile,
      '.',
    ]);
    const layer = writeBlob(layout, readFileSync(layerFile));
    const config = writeBlob(
      layout,
      Buffer.from(
        JSON.stringify({
          architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
          os: 'linux',
          config: { Entrypoint: [`/${name}`] },
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
        }),
      ),
    );
    const manifest = writeBlob(
      layout,
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: manifestMediaType,
          config: { mediaType: configMediaType, ...config },
          layers: [{ mediaType: layerMediaType, ...layer }],
        }),
      ),
    );
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: indexMediaType,
        manifests: [
          {
            mediaType: manifestMediaType,
            ...manifest,
            // containerd names the imported image after this annotation.
            annotations: {
              'io.containerd.image.name': reference,
              'org.opencontainers.image.ref.name': reference.split(':').at(-1),
            },
          },
        ],
      }),
    );
    const partial = `${archive}.partial`;
    execFileSync('tar', [
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mtime=@0',
      '--sort=name',
      '-C',
      layout,
      '-cf',
      partial,
      '.',
    ]);
    renameSync(partial, archive);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Absolute paths of the libraries a dynamic executable loads (none for a static one). */
function sharedLibraries(binary: string): string[] {
  let listing: string;
  try {
    listing = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return []; // "not a dynamic executable"
  }
  return [...listing.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((match) => match[1] ?? '').filter(Boolean);
}

function writeBlob(layout: string, content: Buffer): { digest: string; size: number } {
  const hex = createHash('sha256').update(content).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), content);
  return { digest: `sha256:${hex}`, size: content.length };
}
