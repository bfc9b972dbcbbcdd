import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { buildUnlessCached } from './build-unless-cached.ts';
import type { ImageBuildContext } from './image-build-context.ts';
import { makeDebianRootfs } from './make-debian-rootfs.ts';
import { readNodeBase } from './read-node-base.ts';
import { runCommand } from './run-command.ts';

const officialPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * A stand-in for the official node:<version>-<release>-slim image, which cannot be pulled here:
 * Debian's minimal root filesystem, the exact Node binary the project pins at /usr/local/bin/node,
 * npm (the version that Node release bundles) at /usr/local/lib/node_modules/npm with npm and npx
 * links, and the image's `node` user (1000). It is tagged with the official name, in our own
 * store only, so the Dockerfile builds unchanged. Returns the reference.
 */
export async function buildNodeBase(context: ImageBuildContext): Promise<string> {
  const recipe = readNodeBase(context.repoRoot);
  const { buildah, log } = context;
  await buildUnlessCached({
    title: `stand-in base ${recipe.reference}`,
    reference: recipe.reference,
    stampFile: join(context.stampDir, 'node-base.json'),
    keyParts: [
      recipe.nodeVersion,
      recipe.npmVersion,
      recipe.suite,
      readFileSync(import.meta.filename, 'utf8'),
      readFileSync(join(import.meta.dirname, 'make-debian-rootfs.ts'), 'utf8'),
    ],
    buildah,
    log,
    build: async () => {
      const npmTarball = await downloadNpm(context, recipe.npmVersion);
      const rootfs = join(context.workDir, 'node-base-rootfs.tar');
      log(`mmdebstrap: a minimal Debian ${recipe.suite} root filesystem (about a minute)`);
      await makeDebianRootfs({
        suite: recipe.suite,
        output: rootfs,
        label: 'mmdebstrap (node base)',
        logFile: join(context.logDir, 'node-base-mmdebstrap.log'),
        log,
      });
      const overlay = await nodeOverlayTar(context, { nodeBinary: recipe.nodeBinary, npmTarball });
      const step = { label: 'buildah (node base)', logName: 'node-base' };
      const container = await buildah.run(['from', '--quiet', 'scratch'], step);
      try {
        await buildah.run(['add', container, rootfs, '/'], step);
        await buildah.run(['add', container, overlay, '/'], step);
        // The official image's unprivileged user; its Dockerfile makes it the same way.
        await buildah.run(
          [
            'run',
            '--isolation',
            'chroot',
            container,
            '--',
            'sh',
            '-c',
            'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
          ],
          step,
        );
        const versions = await buildah.run(
          ['run', '--isolation', 'chroot', container, '--', 'sh', '-c', 'node --version && npm --version'],
          step,
        );
        if (versions.split('\n').join(' ') !== `v${recipe.nodeVersion} ${recipe.npmVersion}`) {
          throw new Error(
            `the stand-in base runs ${versions.split('\n').join(', ')}, not Node v${recipe.nodeVersion} and npm ${recipe.npmVersion}`,
          );
        }
        await buildah.run(
          [
            'config',
            '--env',
            `PATH=${officialPath}`,
            '--env',
            `NODE_VERSION=${recipe.nodeVersion}`,
            '--cmd',
            '["node"]',
            '--created-by',
            'test/image/build-node-base.ts (a local stand-in for the official image)',
            container,
          ],
          step,
        );
        await buildah.run(['commit', '--quiet', '--identity-label=false', '--rm', container, recipe.reference], step);
      } catch (err) {
        await buildah.run(['rm', container], step).catch(() => undefined);
        throw err;
      }
    },
  });
  return recipe.reference;
}

/** npm's own tarball from the npm registry, kept in the downloads folder (npm pack checks its integrity). */
async function downloadNpm(context: ImageBuildContext, version: string): Promise<string> {
  const tarball = join(context.downloadsDir, `npm-${version}.tgz`);
  if (existsSync(tarball)) return tarball;
  const scratch = join(context.workDir, 'npm-pack');
  mkdirSync(scratch, { recursive: true });
  context.log(`downloading npm ${version} from the npm registry`);
  await runCommand('npm', ['pack', `npm@${version}`, '--pack-destination', scratch, '--silent'], {
    label: `npm pack npm@${version}`,
    logFile: join(context.logDir, 'npm-pack.log'),
    log: context.log,
  });
  mkdirSync(context.downloadsDir, { recursive: true });
  renameSync(join(scratch, `npm-${version}.tgz`), tarball);
  return tarball;
}

/** /usr/local as the official image lays it out, as one tar owned by root. */
async function nodeOverlayTar(
  context: ImageBuildContext,
  sources: { nodeBinary: string; npmTarball: string },
): Promise<string> {
  const tree = join(context.workDir, 'node-overlay');
  rmSync(tree, { recursive: true, force: true });
  const bin = join(tree, 'usr', 'local', 'bin');
  const npmDir = join(tree, 'usr', 'local', 'lib', 'node_modules', 'npm');
  mkdirSync(bin, { recursive: true });
  mkdirSync(npmDir, { recursive: true });
  copyFileSync(sources.nodeBinary, join(bin, 'node'));
  const step = { logFile: join(context.logDir, 'node-base-overlay.log'), log: context.log };
  await runCommand('tar', ['-xzf', sources.npmTarball, '-C', npmDir, '--strip-components=1', '--no-same-owner'], {
    label: 'unpacking npm',
    ...step,
  });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(bin, 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(bin, 'npx'));
  const overlay = join(context.workDir, 'node-overlay.tar');
  await runCommand('tar', ['-cf', overlay, '-C', tree, '--owner=0', '--group=0', '--numeric-owner', 'usr'], {
    label: 'packing /usr/local',
    ...step,
  });
  return overlay;
}
