import type { Buildah } from './create-buildah.ts';

/** What every image recipe builds with: folders under the images cache, the store, the log. */
export interface ImageBuildContext {
  repoRoot: string;
  /** <cache>/images: archives, stamps, downloads, logs and the buildah store. */
  imagesDir: string;
  /** Scratch files of one build (root filesystem tars), removed when it ends. */
  workDir: string;
  logDir: string;
  stampDir: string;
  /** Kept across builds: npm's tarball of npm, the npm cache the product's `npm ci` reuses. */
  downloadsDir: string;
  buildah: Buildah;
  log: (line: string) => void;
}
