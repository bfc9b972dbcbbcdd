import { afterAll, beforeAll, vi } from 'vitest';
import { provideRealNode } from './attach-real-node.ts';
import { startInstalledAstromesh } from './start-installed-astromesh.ts';

// Astromesh Cloud as an admin installs it, in real containers: one node and one release, made
// here once, for the suites below, which run in this order in this one file (so they never run
// at the same time, and this file runs beside the rest of the suite).
import './astromesh-in-containers.suite.ts';
import './tenant-isolation.suite.ts';
import './container-security.suite.ts';
import './faults-and-lifecycle.suite.ts';

// Real pods, kubectl exec and helm take longer than the suite's defaults on a 2-core machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const installed = await startInstalledAstromesh();
  stop = installed.stop;
  provideRealNode(installed.info);
}, 600_000);

afterAll(async () => {
  await stop?.();
}, 120_000);
