import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aFileSandbox } from '../test-support/a-file-sandbox.ts';
import { runTool } from '../test-support/a-tool-context.ts';
import { readFileTool } from './read-file.ts';

describe('read_file', () => {
  it('reads a file inside allowed_paths', async () => {
    const { allowed } = await aFileSandbox();
    await writeFile(join(allowed, 'notes.txt'), 'hello');

    const result = await runTool(
      readFileTool,
      { path: join(allowed, 'notes.txt') },
      { config: { allowed_paths: [allowed] } },
    );

    expect(result).toEqual({ path: join(allowed, 'notes.txt'), content: 'hello', size: 5, encoding: 'utf-8' });
  });

  it('reads a relative path from the first allowed directory', async () => {
    const { allowed } = await aFileSandbox();
    await mkdir(join(allowed, 'docs'));
    await writeFile(join(allowed, 'docs', 'a.md'), '# A');

    const result = await runTool(readFileTool, { path: 'docs/a.md' }, { config: { allowed_paths: [allowed] } });

    expect(result).toMatchObject({ content: '# A' });
  });

  it('reads binary content as base64', async () => {
    const { allowed } = await aFileSandbox();
    await writeFile(join(allowed, 'bytes.bin'), Buffer.from([0, 255]));

    const result = await runTool(
      readFileTool,
      { path: 'bytes.bin', encoding: 'base64' },
      { config: { allowed_paths: [allowed] } },
    );

    expect(result).toMatchObject({ content: 'AP8=' });
  });

  it('refuses every path when allowed_paths is not configured', async () => {
    const { allowed } = await aFileSandbox();

    const running = runTool(readFileTool, { path: join(allowed, 'notes.txt') });

    await expect(running).rejects.toMatchObject({
      code: 'refused',
      message: 'read_file has no allowed_paths configured, so it may not touch any file',
    });
  });

  it('refuses a .. escape out of allowed_paths', async () => {
    const { allowed } = await aFileSandbox();

    const running = runTool(readFileTool, { path: '../outside/secret.txt' }, { config: { allowed_paths: [allowed] } });

    await expect(running).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/outside the allowed_paths/),
    });
  });

  it('refuses an absolute path outside allowed_paths', async () => {
    const { allowed, outside } = await aFileSandbox();

    const running = runTool(
      readFileTool,
      { path: join(outside, 'secret.txt') },
      { config: { allowed_paths: [allowed] } },
    );

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });

  it('refuses a symlink inside allowed_paths that points outside', async () => {
    const { allowed, outside } = await aFileSandbox();
    await symlink(join(outside, 'secret.txt'), join(allowed, 'innocent.txt'));

    const running = runTool(readFileTool, { path: 'innocent.txt' }, { config: { allowed_paths: [allowed] } });

    await expect(running).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/symlink/) });
  });

  it('refuses a path through a symlinked directory that points outside', async () => {
    const { allowed, outside } = await aFileSandbox();
    await symlink(outside, join(allowed, 'linked-dir'));

    const running = runTool(readFileTool, { path: 'linked-dir/secret.txt' }, { config: { allowed_paths: [allowed] } });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });

  it('follows a symlink that stays inside allowed_paths', async () => {
    const { allowed } = await aFileSandbox();
    await writeFile(join(allowed, 'real.txt'), 'inside');
    await symlink(join(allowed, 'real.txt'), join(allowed, 'alias.txt'));

    const result = await runTool(readFileTool, { path: 'alias.txt' }, { config: { allowed_paths: [allowed] } });

    expect(result).toMatchObject({ content: 'inside' });
  });

  it('refuses a missing file behind a symlinked directory that points outside', async () => {
    const { allowed, outside } = await aFileSandbox();
    await symlink(outside, join(allowed, 'linked-dir'));

    const running = runTool(readFileTool, { path: 'linked-dir/missing.txt' }, { config: { allowed_paths: [allowed] } });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });

  it('fails on a missing file inside allowed_paths', async () => {
    const { allowed } = await aFileSandbox();

    const running = runTool(readFileTool, { path: 'missing.txt' }, { config: { allowed_paths: [allowed] } });

    await expect(running).rejects.toMatchObject({ code: 'failed', message: 'no such file: missing.txt' });
  });

  it('fails on a file larger than max_file_bytes', async () => {
    const { allowed } = await aFileSandbox();
    await writeFile(join(allowed, 'big.txt'), 'x'.repeat(100));

    const running = runTool(
      readFileTool,
      { path: 'big.txt' },
      { config: { allowed_paths: [allowed], max_file_bytes: 10 } },
    );

    await expect(running).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/max_file_bytes/) });
  });
});
