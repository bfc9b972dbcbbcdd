import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';

const run = promisify(execFile);

describe('the cached kube-controller-manager binary', () => {
  it('runs and reports the pinned Kubernetes release', async () => {
    const { kubeControllerManager, kubernetesVersion } = locateTestBinaries();

    const { stdout } = await run(kubeControllerManager, ['--version']);

    expect(stdout.trim()).toBe(`Kubernetes ${kubernetesVersion}`);
  });
});
