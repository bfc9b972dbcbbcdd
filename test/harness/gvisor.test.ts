import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { gvisorUnavailableFile, gvisorVersion, locateTestBinaries } from '../binaries/locate-test-binaries.ts';

const run = promisify(execFile);

describe('gVisor for sandboxed org runtimes', () => {
  const scratchDirs: string[] = [];

  afterEach(() => {
    for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  // gVisor is optional (where it cannot build or start, the node keeps runc for every pod and the
  // builder says why), so where it is unavailable this checks the builder's recorded reason is
  // there instead. On these machines it builds and runs, and the sandbox itself is checked.
  it('runs a process on its own kernel, passing its output and exit status through', async () => {
    const { runsc, containerdShimRunsc, gvisorUnavailableReason } = locateTestBinaries();
    if (runsc === undefined || containerdShimRunsc === undefined) {
      expect(gvisorUnavailableReason).toMatch(/^(cannot build gVisor|gVisor \S+ built, but|gVisor runs only as root)/);
      return;
    }

    const sandboxed = run(runsc, ['--rootless=false', '--network=none', 'do', '/bin/sh', '-c', 'uname -r; exit 3']);

    await expect(sandboxed).rejects.toMatchObject({ code: 3, stdout: expect.stringMatching(/gvisor/) });
    expect((await run(runsc, ['--version'])).stdout).toContain(`runsc version ${gvisorVersion}`);
    expect((await run(containerdShimRunsc, ['-v'])).stdout).toContain('containerd-shim-runsc-v1');
  });

  it('is reported unavailable, with the recorded reason and no binaries, where it could not build or run', () => {
    const cache = mkdtempSync(join(tmpdir(), 'gvisor-cache-'));
    scratchDirs.push(cache);
    const { gvisorDir } = locateTestBinaries({ ASTROMESH_CACHE_DIR: cache });
    mkdirSync(join(cache, 'gvisor'));
    writeFileSync(gvisorUnavailableFile(gvisorDir), 'cannot build gVisor: exit code 1\n');

    const binaries = locateTestBinaries({ ASTROMESH_CACHE_DIR: cache });

    expect(binaries).toMatchObject({ gvisorUnavailableReason: 'cannot build gVisor: exit code 1' });
    expect(binaries.runsc).toBeUndefined();
    expect(binaries.containerdShimRunsc).toBeUndefined();
  });
});
