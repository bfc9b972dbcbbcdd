import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { startTestCatalog } from './test-support/start-test-catalog.ts';

// The catalog's side of model blocks: ProviderConfig files beside the agents, and warnings.

const refAgent = `
apiVersion: astromesh/v1
kind: Agent
metadata: {name: via-ref}
spec:
  model:
    primary: {providerRef: local, temperature: 0.2}
`;

const providersFile = (endpoint: string) => `
apiVersion: astromesh/v1
kind: ProviderConfig
metadata: {name: default-providers}
spec:
  providers:
    local: {type: ollama, endpoint: "${endpoint}", models: ["llama3.1:8b"]}
`;

describe('the agent catalog with providers files and warnings', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  const startCatalog = (files: Record<string, string>, logLines: string[] = []) =>
    startTestCatalog(files, (...added) => cleanups.push(...added), logLines);

  it('resolves providerRef from providers.yaml in the agents directory, which is not itself an agent', async () => {
    const { catalog } = await startCatalog({
      'providers.yaml': providersFile('http://ollama-a:11434'),
      'via-ref.yaml': refAgent,
    });

    expect(catalog.list().map((entry) => entry.name)).toEqual(['via-ref']);
    expect(catalog.get('via-ref')?.agent?.spec.model.primary).toEqual({
      provider: 'ollama',
      model: 'llama3.1:8b',
      endpoint: 'http://ollama-a:11434',
      temperature: 0.2,
    });
  });

  it('loads the agents again when a providers file changes', async () => {
    const { dir, catalog, changes } = await startCatalog({
      'providers.yaml': providersFile('http://ollama-a:11434'),
      'via-ref.yaml': refAgent,
    });

    writeFileSync(join(dir, 'providers.yaml'), providersFile('http://ollama-b:11434'));
    await catalog.rescan();

    expect(catalog.get('via-ref')?.agent?.spec.model.primary?.endpoint).toBe('http://ollama-b:11434');
    expect(changes.filter((change) => change.type === 'loaded')).toHaveLength(2);
  });

  it('keeps the last good agent and reports the unknown ref when its providers file goes away', async () => {
    const { dir, catalog } = await startCatalog({
      'providers.yaml': providersFile('http://ollama-a:11434'),
      'via-ref.yaml': refAgent,
    });

    unlinkSync(join(dir, 'providers.yaml'));
    await catalog.rescan();

    const entry = catalog.get('via-ref');
    expect(entry?.error).toBe(
      "via-ref.yaml: spec.model.primary.providerRef: unknown provider 'local' (known: none; read from no providers*.yaml file)",
    );
    expect(entry?.agent?.spec.model.primary?.endpoint).toBe('http://ollama-a:11434');
  });

  it('keeps the warnings of the loaded version, naming the file and field, and clears them when fixed', async () => {
    const withUnknownKey = refAgent.replace('temperature: 0.2', 'temperature: 0.2, context_window: 8192');
    const logLines: string[] = [];
    const { dir, catalog } = await startCatalog(
      { 'providers.yaml': providersFile('http://ollama-a:11434'), 'via-ref.yaml': withUnknownKey },
      logLines,
    );

    const warning = expect.stringMatching(/^via-ref\.yaml: spec\.model\.primary\.context_window: unknown key, ignored/);
    expect(catalog.get('via-ref')).toMatchObject({ error: undefined, warnings: [warning] });
    expect(logLines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 40, msg: 'agent file warning', agent: 'via-ref', warning }),
    ]);

    writeFileSync(join(dir, 'via-ref.yaml'), refAgent);
    await eventually(async () => {
      await catalog.rescan();
      expect(catalog.get('via-ref')?.warnings).toEqual([]);
    });
  });
});
