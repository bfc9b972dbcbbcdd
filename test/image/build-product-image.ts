import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildContextDigest } from './build-context-digest.ts';
import { buildNodeBase } from './build-node-base.ts';
import { exportDockerArchive } from './export-docker-archive.ts';
import type { ImageBuildContext } from './image-build-context.ts';
import type { ImageLocation } from './locate-images.ts';
import { runCommand } from './run-command.ts';

export type ImageBuilder = 'docker' | 'buildah';

/** The CA bundle of the machine, for the build step that fetches from the npm registry. */
const machineCaBundle = '/etc/ssl/certs/ca-certificates.crt';

/**
 * The project's Dockerfile, as it is: with `docker build` where a Docker engine answers (the
 * real base image comes from its registry), else with buildah on the stand-in base. Either way
 * the image lands in the builder's store and in a docker-archive for `ctr images import`, which
 * is rewritten only when the image changed.
 */
export async function buildProductImage(
  context: ImageBuildContext,
  target: ImageLocation,
  builder: ImageBuilder,
): Promise<void> {
  // The image serves Studio from studio/dist, which the Dockerfile copies: built first if stale.
  await runCommand(process.execPath, [join(context.repoRoot, 'studio/build/build-studio.ts'), '--if-stale'], {
    label: 'studio build',
    logFile: join(context.logDir, 'studio-build.log'),
    log: context.log,
  });
  const baseReference = builder === 'buildah' ? await buildNodeBase(context) : undefined;
  const startedAt = Date.now();
  const stampFile = join(context.stampDir, 'product.json');
  const stamp = existsSync(stampFile) ? (JSON.parse(readFileSync(stampFile, 'utf8')) as ProductStamp) : {};
  // Even a build that reuses every layer takes ~15 s (buildah checksums node_modules to match
  // the COPY --from layer), so an unchanged context on an unchanged base is not built at all.
  const inputs =
    baseReference === undefined
      ? undefined
      : `${buildContextDigest(context.repoRoot)}:${context.buildah.imageId(baseReference)}`;
  const isUnchanged =
    inputs !== undefined &&
    stamp.inputs === inputs &&
    stamp.imageId !== undefined &&
    context.buildah.imageId(target.reference) === stamp.imageId &&
    existsSync(target.archive);
  if (isUnchanged) {
    context.log(`${target.reference}: build context unchanged, image and archive kept`);
    return;
  }
  const imageId = builder === 'docker' ? await dockerBuild(context, target) : await buildahBuild(context, target);
  if (stamp.imageId === imageId && existsSync(target.archive)) {
    writeStamp(context, stampFile, { imageId, inputs });
    context.log(`${target.reference}: unchanged, archive kept (${((Date.now() - startedAt) / 1000).toFixed(1)}s)`);
    return;
  }
  rmSync(stampFile, { force: true });
  if (builder === 'docker') await dockerSave(context, target);
  else await exportDockerArchive({ buildah: context.buildah, reference: target.reference, archive: target.archive });
  writeStamp(context, stampFile, { imageId, inputs });
  context.log(`${target.reference}: built and exported in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
}

interface ProductStamp {
  imageId?: string;
  /** The build context's digest and the base image's ID the image was built from (buildah only). */
  inputs?: string;
}

function writeStamp(context: ImageBuildContext, stampFile: string, stamp: ProductStamp): void {
  mkdirSync(context.stampDir, { recursive: true });
  writeFileSync(stampFile, `${JSON.stringify(stamp)}\n`);
}

/** Whether a Docker engine answers here (a docker CLI alone is not enough). */
export function isDockerEngineUp(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 }).status === 0;
}

async function buildahBuild(context: ImageBuildContext, target: ImageLocation): Promise<string> {
  context.log(`buildah bud ${target.reference} (cold: a few minutes; warm: seconds)`);
  const args = [
    'bud',
    '--pull=never',
    '--isolation',
    'chroot',
    // Reuses every step up to the first changed COPY: `npm ci` runs only when the lock changes.
    '--layers',
    // buildah labels its images io.buildah.version unless told not to; docker build adds none.
    '--identity-label=false',
    '--tag',
    target.reference,
    ...npmStepMounts(context),
    '--file',
    join(context.repoRoot, 'Dockerfile'),
    context.repoRoot,
  ];
  await context.buildah.run(args, { label: `buildah bud ${target.reference}`, logName: 'product' });
  const imageId = context.buildah.imageId(target.reference);
  if (!imageId) throw new Error(`buildah bud finished but the store has no ${target.reference}`);
  return imageId;
}

/**
 * Mounts for the build's RUN steps, never part of the image: a HOME of our own at /root with an
 * npmrc that points npm at the machine's CA bundle (mounted read-only; the machine's TLS may be
 * intercepted, and the bundle must not be baked in) and the host's npm cache, so `npm ci` after
 * a lock change fetches only what is new. Everything is mounted inside /root, which the base
 * image has, so no empty mount-point file is left in a layer (a mount at a path the image lacks
 * leaves one).
 */
function npmStepMounts(context: ImageBuildContext): string[] {
  const home = join(context.downloadsDir, 'npm-build-home');
  mkdirSync(join(home, '.npm'), { recursive: true });
  const hasCaBundle = existsSync(machineCaBundle);
  writeFileSync(join(home, '.npmrc'), hasCaBundle ? 'cafile=/root/.ca-certificates.crt\n' : '');
  const npmCache = hostNpmCache() ?? join(context.downloadsDir, 'npm-cache');
  mkdirSync(npmCache, { recursive: true });
  return [
    '--volume',
    `${home}:/root`,
    ...(hasCaBundle ? ['--volume', `${machineCaBundle}:/root/.ca-certificates.crt:ro`] : []),
    '--volume',
    `${npmCache}:/root/.npm`,
  ];
}

function hostNpmCache(): string | undefined {
  const answer = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' });
  const folder = answer.status === 0 ? answer.stdout.trim() : '';
  return folder.startsWith('/') ? folder : undefined;
}

async function dockerBuild(context: ImageBuildContext, target: ImageLocation): Promise<string> {
  context.log(`docker build ${target.reference}`);
  await runCommand('docker', ['build', '--tag', target.reference, context.repoRoot], {
    label: `docker build ${target.reference}`,
    logFile: join(context.logDir, 'product-docker.log'),
    log: context.log,
  });
  const inspected = spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', target.reference], {
    encoding: 'utf8',
  });
  if (inspected.status !== 0) throw new Error(`docker build finished but docker has no ${target.reference}`);
  return inspected.stdout.trim();
}

async function dockerSave(context: ImageBuildContext, target: ImageLocation): Promise<void> {
  const scratch = `${target.archive}.partial-${process.pid}`;
  mkdirSync(context.imagesDir, { recursive: true });
  try {
    await runCommand('docker', ['save', '--output', scratch, target.reference], {
      label: `docker save ${target.reference}`,
      logFile: join(context.logDir, 'product-docker-save.log'),
      log: context.log,
    });
    renameSync(scratch, target.archive);
  } finally {
    rmSync(scratch, { force: true });
  }
}
