import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  // gVisor is optional: where it cannot build or its sandbox cannot start, the builder records
  // why instead of a binary, and this checks that record is there. On these machines it builds
  // and runs (its containerd shim does not work with containerd 1.6: see locate-test-binaries.ts).
  it('runs a process on its own kernel, passing its output and exit status through', async () => {
    const { gvisorDir } = locateTestBinaries();
    if (!existsSync(gvisorDir)) {
      expect(readFileSync(gvisorUnavailableFile(gvisorDir), 'utf8')).toMatch(
        /^(cannot build gVisor|gVisor \S+ built, but)/,
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
