import { execFileSync } from 'node:child_process';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { createAgentCatalog } from './agent-catalog.ts';
import { startTestCatalog } from './test-support/start-test-catalog.ts';

const agentYaml = (name: string, model = 'gpt-4o-mini') => `
apiVersion: astromesh/v1
kind: Agent
metadata: {name: ${name}}
spec:
  model:
    primary: {provider: openai, model: ${model}}
`;

describe('the agent catalog', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  const startCatalog = (files: Record<string, string> = {}) =>
    startTestCatalog(files, (...added) => cleanups.push(...added));

  it('loads every YAML file of the directory and ignores other files', async () => {
    const { catalog } = await startCatalog({
      'a.yaml': agentYaml('alpha'),
      'b.yml': agentYaml('beta'),
      'notes.txt': 'x',
    });

    expect(catalog.list().map((entry) => entry.name)).toEqual(['alpha', 'beta']);
  });

  it('picks up a new file without a restart', async () => {
    const { dir, catalog } = await startCatalog();

    writeFileSync(join(dir, 'new.yaml'), agentYaml('newcomer'));

    await eventually(() => expect(catalog.get('newcomer')?.agent).toBeDefined());
  });

  it('reloads a changed file', async () => {
    const { dir, catalog } = await startCatalog({ 'a.yaml': agentYaml('alpha') });

    writeFileSync(join(dir, 'a.yaml'), agentYaml('alpha', 'gpt-4.1'));

    await eventually(() => expect(catalog.get('alpha')?.agent?.spec.model.primary?.model).toBe('gpt-4.1'));
  });

  it('drops the agent of a removed file', async () => {
    const { dir, catalog, changes } = await startCatalog({ 'a.yaml': agentYaml('alpha') });

    unlinkSync(join(dir, 'a.yaml'));

    await eventually(() => expect(catalog.get('alpha')).toBeUndefined());
    expect(changes.at(-1)).toEqual({ type: 'removed', name: 'alpha' });
  });

  it('keeps the last good version of an agent whose file breaks, and shows the error', async () => {
    const { dir, catalog } = await startCatalog({ 'a.yaml': agentYaml('alpha') });

    writeFileSync(join(dir, 'a.yaml'), agentYaml('alpha').replace('provider: openai', 'provider: nope'));

    await eventually(() => expect(catalog.get('alpha')?.error).toMatch(/^a\.yaml: spec\.model\.primary\.provider/));
    expect(catalog.get('alpha')?.agent?.spec.model.primary?.provider).toBe('openai');
  });

  it('lists a file that never loaded under its file name, with its error', async () => {
    const { catalog } = await startCatalog({ 'broken.yaml': 'kind: Agent' });

    expect(catalog.list()).toEqual([
      expect.objectContaining({
        name: 'broken',
        agent: undefined,
        error: expect.stringContaining('broken.yaml: apiVersion'),
      }),
    ]);
  });

  it('refuses a second file that defines an agent name already taken', async () => {
    const { catalog } = await startCatalog({ 'a.yaml': agentYaml('alpha'), 'b.yaml': agentYaml('alpha') });

    expect(catalog.get('b')?.error).toBe("b.yaml: metadata.name: agent 'alpha' is already defined in a.yaml");
    expect(catalog.get('alpha')?.file).toMatch(/a\.yaml$/);
  });

  it('refuses a file over 1 MiB, naming its size, and loads the others', async () => {
    const huge = `${agentYaml('huge')}# ${'x'.repeat(8 * 1024 * 1024)}\n`;

    const { catalog } = await startCatalog({ 'a.yaml': agentYaml('alpha'), 'huge.yaml': huge });

    expect(catalog.list()).toEqual([
      expect.objectContaining({ name: 'alpha', error: undefined }),
      expect.objectContaining({
        name: 'huge',
        agent: undefined,
        error: `huge.yaml: (document): the file is ${Buffer.byteLength(huge)} bytes, more than the 1048576 an agent file may have`,
      }),
    ]);
  });

  it('refuses a FIFO named like an agent file instead of waiting for a writer, and loads the others', async () => {
    const { dir } = await startCatalog();
    execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
    writeFileSync(join(dir, 'a.yaml'), agentYaml('alpha'));
    const catalog = createAgentCatalog({
      dir,
      checks: [],
      log: pino({ level: 'silent' }),
      onChange: () => {},
      rescanIntervalMs: 0,
    });
    cleanups.unshift(() => catalog.close());

    await catalog.start();

    expect(catalog.list()).toEqual([
      expect.objectContaining({ name: 'alpha', error: undefined }),
      expect.objectContaining({ name: 'pipe', agent: undefined, error: 'pipe.yaml: (document): not a regular file' }),
    ]);
  });

  it('follows a Kubernetes ConfigMap style atomic swap of the ..data link', async () => {
    const { mkdirSync, symlinkSync, renameSync } = await import('node:fs');
    const { dir, catalog } = await startCatalog();
    mkdirSync(join(dir, '..v1'));
    writeFileSync(join(dir, '..v1', 'a.yaml'), agentYaml('alpha'));
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync(join('..data', 'a.yaml'), join(dir, 'a.yaml'));
    await eventually(() => expect(catalog.get('alpha')?.agent?.spec.model.primary?.model).toBe('gpt-4o-mini'));

    mkdirSync(join(dir, '..v2'));
    writeFileSync(join(dir, '..v2', 'a.yaml'), agentYaml('alpha', 'gpt-4.1'));
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));

    await eventually(() => expect(catalog.get('alpha')?.agent?.spec.model.primary?.model).toBe('gpt-4.1'));
  });
});
