import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aFileSandbox } from '../test-support/a-file-sandbox.ts';
import { runTool } from '../test-support/a-tool-context.ts';
import { writeFileTool } from './write-file.ts';

describe('write_file', () => {
  it('writes a file inside allowed_paths', async () => {
    const { allowed } = await aFileSandbox();

    const result = await runTool(
      writeFileTool,
      { path: 'report.md', content: '# Report' },
      { config: { allowed_paths: [allowed] } },
    );

    expect(result).toEqual({ path: join(allowed, 'report.md'), bytes_written: 8 });
    expect(await readFile(join(allowed, 'report.md'), 'utf8')).toBe('# Report');
  });

  it('creates missing folders inside allowed_paths', async () => {
    const { allowed } = await aFileSandbox();

    await runTool(writeFileTool, { path: 'a/b/c.txt', content: 'deep' }, { config: { allowed_paths: [allowed] } });

    expect(await readFile(join(allowed, 'a', 'b', 'c.txt'), 'utf8')).toBe('deep');
  });

  it('decodes base64 content', async () => {
    const { allowed } = await aFileSandbox();

    await runTool(
      writeFileTool,
      { path: 'bytes.bin', content: 'AP8=', encoding: 'base64' },
      { config: { allowed_paths: [allowed] } },
    );

    expect([...(await readFile(join(allowed, 'bytes.bin')))]).toEqual([0, 255]);
  });

  it('refuses every path when allowed_paths is not configured', async () => {
    const { allowed } = await aFileSandbox();

    const running = runTool(writeFileTool, { path: join(allowed, 'x.txt'), content: 'x' });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });

  it('refuses a .. escape and leaves the outside file alone', async () => {
    const { allowed, outside } = await aFileSandbox();

    const running = runTool(
      writeFileTool,
      { path: '../outside/secret.txt', content: 'overwritten' },
      { config: { allowed_paths: [allowed] } },
    );

    await expect(running).rejects.toMatchObject({ code: 'refused' });
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('refuses to write through a symlink that points outside', async () => {
    const { allowed, outside } = await aFileSandbox();
    await symlink(join(outside, 'secret.txt'), join(allowed, 'innocent.txt'));

    const running = runTool(
      writeFileTool,
      { path: 'innocent.txt', content: 'overwritten' },
      { config: { allowed_paths: [allowed] } },
    );

    await expect(running).rejects.toMatchObject({ code: 'refused' });
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('refuses to create a file under a symlinked directory that points outside', async () => {
    const { allowed, outside } = await aFileSandbox();
    await symlink(outside, join(allowed, 'linked-dir'));

    const running = runTool(
      writeFileTool,
      { path: 'linked-dir/new.txt', content: 'x' },
      { config: { allowed_paths: [allowed] } },
    );

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });

  it('refuses to write through a dangling symlink', async () => {
    const { allowed, outside } = await aFileSandbox();
    await symlink(join(outside, 'not-yet.txt'), join(allowed, 'dangling.txt'));

    const running = runTool(
      writeFileTool,
      { path: 'dangling.txt', content: 'x' },
      { config: { allowed_paths: [allowed] } },
    );

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });

  it('refuses content larger than max_file_bytes', async () => {
    const { allowed } = await aFileSandbox();

    const running = runTool(
      writeFileTool,
      { path: 'big.txt', content: 'x'.repeat(100) },
      { config: { allowed_paths: [allowed], max_file_bytes: 10 } },
    );

    await expect(running).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^content: /),
    });
  });

  it('replaces an existing file', async () => {
    const { allowed } = await aFileSandbox();
    await writeFile(join(allowed, 'old.txt'), 'a much longer old content');

    await runTool(writeFileTool, { path: 'old.txt', content: 'new' }, { config: { allowed_paths: [allowed] } });

    expect(await readFile(join(allowed, 'old.txt'), 'utf8')).toBe('new');
  });
});
