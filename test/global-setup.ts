import type { TestProject } from 'vitest/node';
import { ensureNodePackages } from './node/ensure-node-packages.ts';
import { chromiumProgram } from './studio/launch-chromium.ts';
import { ensureDebianPrograms } from './support/ensure-debian-programs.ts';
import { type RunningPostgres, startEmbeddedPostgres } from './support/start-embedded-postgres.ts';
import { startKubeControlPlane } from './support/start-kube-control-plane.ts';
import { redisServerProgram } from './support/start-redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL server; tests make their own databases on it. */
    adminDatabaseUrl: string;
    /** Kubeconfig of the run's kube-apiserver, authenticated as a `system:masters` user. */
    kubeconfigPath: string;
  }
}

/**
 * Starts the real servers the tests share, once per `vitest run`: PostgreSQL (unless
 * TEST_DATABASE_URL names one) and etcd + kube-apiserver. If either cannot start, every
 * test fails with the reason: a Kubernetes suite is never skipped silently.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Once, before any test file: the real node's suites and the image tests start containerd, and
  // two apt-get runs at once (one per worker) would fight over dpkg's lock on a new machine. Not
  // as root, those suites fail by themselves, saying so; the others still run.
  if (process.getuid?.() === 0) {
    const log = (line: string) => process.stderr.write(`[global-setup] ${line}\n`);
    ensureNodePackages(log);
    // The Redis memory tests start their own redis-server, and the Studio tests drive Debian's
    // chromium; installed here for the same reason.
    ensureDebianPrograms([redisServerProgram, chromiumProgram], 'the Redis memory tests and Studio browser tests', log);
  }
  const external = process.env.TEST_DATABASE_URL;
  const [postgres, kube] = await Promise.allSettled([
    external ? Promise.resolve(undefined) : startEmbeddedPostgres(),
    startKubeControlPlane(),
  ]);
  const teardown = async () => {
    await Promise.allSettled(
      [postgres, kube].map((started) => (started.status === 'fulfilled' ? started.value?.stop() : undefined)),
    );
  };
  if (postgres.status === 'rejected' || kube.status === 'rejected') {
    await teardown();
    const reasons = [postgres, kube].flatMap((started) => (started.status === 'rejected' ? [started.reason] : []));
    throw new AggregateError(reasons, reasons.map((err) => (err as Error).message).join('\n\n'));
  }
  project.provide('adminDatabaseUrl', external ?? (postgres.value as RunningPostgres).adminUrl);
  project.provide('kubeconfigPath', kube.value.kubeconfigPath);
  return teardown;
}
