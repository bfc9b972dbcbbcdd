import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheRoot } from '../binaries/locate-test-binaries.ts';
import { buildPauseImage } from './build-pause-image.ts';
import { buildPostgresImage, postgresMajorVersion } from './build-postgres-image.ts';
import { buildProductImage, type ImageBuilder, isDockerEngineUp } from './build-product-image.ts';
import { createBuildah } from './create-buildah.ts';
import type { ImageBuildContext } from './image-build-context.ts';
import { locateImageStore } from './locate-image-store.ts';
import { requireTools } from './require-tools.ts';
import { withBuildLock } from './with-build-lock.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface ImageLocation {
  /** The name the image has in the store and keeps when imported: localhost/astromesh-cloud:0.1.0. */
  reference: string;
  /** A docker-archive of it, for `ctr -n k8s.io images import`. */
  archive: string;
}

export interface Images {
  /** The project's Dockerfile: astromeshd, the Cloud API and the operator. */
  product: ImageLocation;
  /** A stand-in for the official postgres image, for the chart's bundled database. */
  postgres: ImageLocation;
  /** The pods' sandbox image. */
  pause: ImageLocation;
}

export interface ImageOptions {
  /** Default: localhost/astromesh-cloud:<version in package.json>. */
  productReference?: string;
  env?: NodeJS.ProcessEnv;
}

/** Where `npm run image` puts each image (it may not have run yet): <cache>/images/archives. */
export function locateImages(options: ImageOptions = {}): Images {
  const imagesDir = locateImagesDir(options.env);
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const locate = (reference: string): ImageLocation => ({
    reference,
    archive: join(imagesDir, 'archives', `${reference.replace(/[/:@]/g, '_')}.tar`),
  });
  return {
    product: locate(options.productReference ?? `localhost/astromesh-cloud:${version}`),
    postgres: locate(`localhost/astromesh-test/postgres:${postgresMajorVersion}`),
    pause: locate('localhost/astromesh-test/pause:1'),
  };
}

/**
 * Builds what is missing or out of date (the product image on every call: its unchanged layers
 * are reused) and returns where everything is. Progress goes to `log` as `[image] …` lines.
 */
export async function buildImages(
  options: ImageOptions & { builder?: ImageBuilder | 'auto'; log?: (line: string) => void } = {},
): Promise<Images> {
  const log = options.log ?? ((line: string) => process.stdout.write(`[image] ${line}\n`));
  const env = options.env ?? process.env;
  if (process.getuid?.() !== 0) {
    throw new Error('npm run image needs root: mmdebstrap and buildah make root filesystems and mount them');
  }
  const builder = options.builder === undefined || options.builder === 'auto' ? autoBuilder() : options.builder;
  requireTools(
    [
      { command: 'buildah', aptPackage: 'buildah', purpose: 'builds the images without a daemon' },
      {
        command: 'mmdebstrap',
        aptPackage: 'mmdebstrap',
        purpose: 'makes the Debian root filesystems of the stand-ins',
      },
      { command: 'tar', aptPackage: 'tar', purpose: 'packs files into the stand-in base' },
      { command: 'go', aptPackage: undefined, purpose: 'builds the pause program (Go 1.25 or later)' },
      { command: 'npm', aptPackage: undefined, purpose: 'downloads npm for the stand-in Node base' },
    ],
    log,
  );
  const images = locateImages(options);
  const imagesDir = locateImagesDir(env);
  return withBuildLock({
    imagesDir,
    log,
    work: async () => {
      const startedAt = Date.now();
      const store = locateImageStore(imagesDir, env);
      const logDir = join(imagesDir, 'logs');
      const context: ImageBuildContext = {
        repoRoot,
        imagesDir,
        workDir: join(imagesDir, `work-${process.pid}`),
        logDir,
        stampDir: join(imagesDir, 'stamps', store.driver),
        downloadsDir: join(imagesDir, 'downloads'),
        buildah: createBuildah({ store, logDir, log }),
        log,
      };
      log(`building with ${builder} into ${imagesDir} (buildah store: ${store.driver}, logs in ${logDir})`);
      mkdirSync(context.workDir, { recursive: true });
      try {
        await buildPauseImage(context, images.pause);
        await buildPostgresImage(context, images.postgres);
        await buildProductImage(context, images.product, builder);
      } finally {
        rmSync(context.workDir, { recursive: true, force: true });
      }
      log(`images ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
      for (const image of Object.values(images)) log(`  ${image.reference}  ${image.archive}`);
      return images;
    },
  });
}

function autoBuilder(): ImageBuilder {
  return isDockerEngineUp() ? 'docker' : 'buildah';
}

/** <cache>/images: the archives, the buildah store, stamps, downloads and build logs. */
export function locateImagesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'images');
}
