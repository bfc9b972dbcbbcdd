import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { kubeRouterVersion, locateTestBinaries } from '../binaries/locate-test-binaries.ts';

const run = promisify(execFile);

describe("the real node's NetworkPolicy engine", () => {
  it('is kube-router at the pinned release, with the switches the node runs it with', async () => {
    const { kubeRouter } = locateTestBinaries();

    // kube-router prints its version and help on stderr; the release is stamped in by the builder.
    const version = await run(kubeRouter, ['--version']);
    const help = await run(kubeRouter, ['--help']);

    expect(version.stderr).toContain(`version ${kubeRouterVersion},`);
    for (const flag of ['--run-firewall', '--run-router', '--run-service-proxy', '--hostname-override']) {
      expect(help.stderr).toContain(flag);
    }
  });
});
