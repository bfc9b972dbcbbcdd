import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  // gVisor is optional and built only with ASTROMESH_BUILD_GVISOR=1 (its containerd shim does not
  // work with the node's containerd 1.6: see locate-test-binaries.ts). Where it is not built, or
  // could not build or start its sandbox, this checks the reason every run prints; where it is
  // built (it builds and runs on these machines), it runs a sandbox.
  it('runs a process on its own kernel, passing its output and exit status through', async () => {
    const { gvisorDir, gvisorUnavailableReason } = locateTestBinaries();
    if (!existsSync(gvisorDir)) {
      expect(gvisorUnavailableReason).toMatch(
        /^(cannot build gVisor|gVisor \S+ built, but|gVisor is not built by default \(ASTROMESH_BUILD_GVISOR=1 builds it)/,
      );
      return;
    }
    const runsc = join(gvisorDir, 'runsc');

    const sandboxed = run(runsc, ['--rootless=false', '--network=none', 'do', '/bin/sh', '-c', 'uname -r; exit 3']);

    await expect(sandboxed).rejects.toMatchObject({ code: 3, stdout: expect.stringMatching(/gvisor/) });
    expect((await run(runsc, ['--version'])).stdout).toContain(`runsc version ${gvisorVersion}`);
    expect((await run(join(gvisorDir, 'containerd-shim-runsc-v1'), ['-v'])).stdout).toContain(
      'containerd-shim-runsc-v1',
    );
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
