import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildUnlessCached } from './build-unless-cached.ts';
import type { ImageBuildContext } from './image-build-context.ts';
import type { ImageLocation } from './locate-images.ts';
import { makeDebianRootfs } from './make-debian-rootfs.ts';
import { runCommand } from './run-command.ts';

export const postgresMajorVersion = '15';
const suite = 'bookworm';
const entrypoint = join(import.meta.dirname, 'postgres', 'astromesh-postgres-entrypoint.sh');

// uid/gid 999, as in the official image: the chart runs the pod as 999 with fsGroup 999. The
// user exists before the packages install, so postgresql-common adopts it instead of picking one.
const postgresUserHook = [
  'echo "postgres:x:999:" >>"$1/etc/group"',
  'echo "postgres:!::" >>"$1/etc/gshadow"',
  'echo "postgres:x:999:999:PostgreSQL administrator:/var/lib/postgresql:/bin/bash" >>"$1/etc/passwd"',
  'echo "postgres:*:19000:0:99999:7:::" >>"$1/etc/shadow"',
].join('; ');
// Debian's packages make a cluster on install; the entrypoint makes its own in PGDATA.
const dropDebianClusterHook = `rm -rf "$1/etc/postgresql/${postgresMajorVersion}/main" "$1/var/lib/postgresql/${postgresMajorVersion}"`;

/**
 * A stand-in for the official postgres image that the chart's bundled database runs, built
 * from Debian's postgresql-15 (bookworm's PostgreSQL) and an entrypoint of our own that offers
 * the same interface (postgres/astromesh-postgres-entrypoint.sh). Named for what it is:
 * localhost/astromesh-test/postgres:15, not the official name or version.
 */
export async function buildPostgresImage(context: ImageBuildContext, target: ImageLocation): Promise<void> {
  const { buildah, log } = context;
  await buildUnlessCached({
    title: 'stand-in PostgreSQL image',
    reference: target.reference,
    archive: target.archive,
    stampFile: join(context.stampDir, 'postgres.json'),
    keyParts: [
      postgresMajorVersion,
      suite,
      readFileSync(import.meta.filename, 'utf8'),
      readFileSync(join(import.meta.dirname, 'make-debian-rootfs.ts'), 'utf8'),
      readFileSync(entrypoint, 'utf8'),
    ],
    buildah,
    log,
    build: async () => {
      const rootfs = join(context.workDir, 'postgres-rootfs.tar');
      log(`mmdebstrap: Debian ${suite} with postgresql-${postgresMajorVersion} (about a minute)`);
      await makeDebianRootfs({
        suite,
        include: [`postgresql-${postgresMajorVersion}`],
        essentialHooks: [postgresUserHook],
        customizeHooks: [dropDebianClusterHook],
        output: rootfs,
        label: 'mmdebstrap (postgres)',
        logFile: join(context.logDir, 'postgres-mmdebstrap.log'),
        log,
      });
      const socketDir = await socketDirTar(context);
      const step = { label: 'buildah (postgres)', logName: 'postgres' };
      const container = await buildah.run(['from', '--quiet', 'scratch'], step);
      try {
        await buildah.run(['add', container, rootfs, '/'], step);
        await buildah.run(['add', container, socketDir, '/'], step);
        await buildah.run(
          ['copy', '--chmod', '0755', container, entrypoint, '/usr/local/bin/astromesh-postgres-entrypoint'],
          step,
        );
        await buildah.run(
          [
            'config',
            '--env',
            `PATH=/usr/lib/postgresql/${postgresMajorVersion}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
            '--env',
            'PGDATA=/var/lib/postgresql/data',
            '--env',
            'LANG=C.UTF-8',
            '--user',
            '999:999',
            '--workingdir',
            '/var/lib/postgresql',
            '--entrypoint',
            '["astromesh-postgres-entrypoint"]',
            '--cmd',
            '["postgres"]',
            '--stop-signal',
            'SIGINT',
            '--port',
            '5432/tcp',
            '--label',
            'org.opencontainers.image.title=astromesh-test/postgres',
            '--label',
            `org.opencontainers.image.description=Test stand-in for the official postgres image: Debian ${suite}'s PostgreSQL ${postgresMajorVersion} with its own entrypoint (test/image/build-postgres-image.ts)`,
            '--created-by',
            'test/image/build-postgres-image.ts',
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

/** /run/postgresql owned by postgres with the setgid bit, as Debian's tmpfiles.d would make it at boot. */
async function socketDirTar(context: ImageBuildContext): Promise<string> {
  const tree = join(context.workDir, 'postgres-run');
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(join(tree, 'run', 'postgresql'), { recursive: true });
  const tar = join(context.workDir, 'postgres-run.tar');
  await runCommand(
    'tar',
    [
      '-cf',
      tar,
      '-C',
      tree,
      '--no-recursion',
      '--owner=999',
      '--group=999',
      '--numeric-owner',
      '--mode=2775',
      'run/postgresql',
    ],
    { label: 'packing /run/postgresql', logFile: join(context.logDir, 'postgres-run.log'), log: context.log },
  );
  return tar;
}
