import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { helmVersion, locateTestBinaries } from '../binaries/locate-test-binaries.ts';

const run = promisify(execFile);

describe('the cached helm binary', () => {
  it('runs and reports the pinned Helm 3 version', async () => {
    const { helm } = locateTestBinaries();

    const { stdout } = await run(helm, ['version', '--template', '{{.Version}}']);

    expect(stdout).toBe(helmVersion);
  });
});
