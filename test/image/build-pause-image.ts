import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildUnlessCached } from './build-unless-cached.ts';
import type { ImageBuildContext } from './image-build-context.ts';
import type { ImageLocation } from './locate-images.ts';
import { runCommand } from './run-command.ts';

const sourceDir = join(import.meta.dirname, 'pause');

/**
 * The pods' sandbox image: the static pause program of test/image/pause and nothing else, as
 * the official registry.k8s.io/pause is. Our own because no registry is reachable.
 */
export async function buildPauseImage(context: ImageBuildContext, target: ImageLocation): Promise<void> {
  const { buildah, log } = context;
  const sources = readdirSync(sourceDir)
    .filter((name) => name.endsWith('.go') || name === 'go.mod')
    .sort()
    .map((name) => `${name}\n${readFileSync(join(sourceDir, name), 'utf8')}`);
  await buildUnlessCached({
    title: 'pause image',
    reference: target.reference,
    archive: target.archive,
    stampFile: join(context.stampDir, 'pause.json'),
    keyParts: [readFileSync(import.meta.filename, 'utf8'), ...sources],
    buildah,
    log,
    build: async () => {
      const binary = join(context.workDir, 'pause');
      await runCommand('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', binary, '.'], {
        label: 'go build (pause)',
        logFile: join(context.logDir, 'pause-go-build.log'),
        log,
        cwd: sourceDir,
        env: { ...process.env, CGO_ENABLED: '0' },
      });
      const step = { label: 'buildah (pause)', logName: 'pause' };
      const container = await buildah.run(['from', '--quiet', 'scratch'], step);
      try {
        await buildah.run(['copy', '--chmod', '0755', container, binary, '/pause'], step);
        await buildah.run(
          [
            'config',
            '--entrypoint',
            '["/pause"]',
            // The sandbox needs no privilege; 65535 is the official pause image's user.
            '--user',
            '65535:65535',
            '--label',
            'org.opencontainers.image.title=astromesh-test/pause',
            '--label',
            'org.opencontainers.image.description=Test pod sandbox: the pause program of test/image/pause',
            '--created-by',
            'test/image/build-pause-image.ts',
            container,
          ],
          step,
        );
        await buildah.run(['commit', '--quiet', '--identity-label=false', '--rm', container, target.reference], step);
      } catch (err) {
        await buildah.run(['rm', container], step).catch(() => undefined);
        throw err;
      }
    },
  });
}
