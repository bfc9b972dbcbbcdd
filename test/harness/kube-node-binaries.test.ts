import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';

const run = promisify(execFile);

describe("the real node's Kubernetes programs", () => {
  const binaries = locateTestBinaries();

  // The builder stamps the version with -ldflags; without it they report v0.0.0-master and the
  // apiserver's version skew checks see a kubelet from nowhere.
  it.each([
    ['kubelet', binaries.kubelet],
    ['kube-scheduler', binaries.kubeScheduler],
    ['kube-proxy', binaries.kubeProxy],
  ])('%s runs and reports the pinned Kubernetes version', async (_name, binary) => {
    const { stdout } = await run(binary, ['--version']);

    expect(stdout.trim()).toBe(`Kubernetes ${binaries.kubernetesVersion}`);
  });
});
