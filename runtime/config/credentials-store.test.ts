import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { createCredentialsStore, parseCredentialsFile } from './credentials-store.ts';

describe('the credentials store', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function startStore(path: string | undefined, env: NodeJS.ProcessEnv = {}) {
    const store = createCredentialsStore({ path, env, log: pino({ level: 'silent' }), rescanIntervalMs: 0 });
    await store.start();
    cleanups.push(() => store.close());
    return store;
  }

  function tempDir() {
    const dir = mkdtempSync(join(tmpdir(), 'credentials-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it('reads one credential per file from a mounted Secret directory', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'OPENAI_API_KEY'), 'sk-from-secret\n');

    const store = await startStore(dir);

    expect(store.lookup('OPENAI_API_KEY')).toBe('sk-from-secret');
  });

  it('sees a rotated key without a restart', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'OPENAI_API_KEY'), 'old-key');
    const store = await startStore(dir);

    writeFileSync(join(dir, 'OPENAI_API_KEY'), 'new-key');

    await eventually(() => expect(store.lookup('OPENAI_API_KEY')).toBe('new-key'));
  });

  it('prefers the file over the environment, and falls back to the environment', async () => {
    const dir = tempDir();
    const file = join(dir, 'credentials.yaml');
    writeFileSync(file, 'OPENAI_API_KEY: from-file\n');

    const store = await startStore(file, { OPENAI_API_KEY: 'from-env', GROQ_API_KEY: 'groq-from-env' });

    expect([store.lookup('OPENAI_API_KEY'), store.lookup('GROQ_API_KEY')]).toEqual(['from-file', 'groq-from-env']);
  });

  it('keeps the previous credentials when the file becomes unreadable', async () => {
    const dir = tempDir();
    const file = join(dir, 'credentials.yaml');
    writeFileSync(file, 'OPENAI_API_KEY: good\n');
    const store = await startStore(file);

    writeFileSync(file, 'OPENAI_API_KEY: [unclosed\n');
    await store.reload();

    expect(store.lookup('OPENAI_API_KEY')).toBe('good');
  });

  it('ignores the hidden entries of a Secret mount', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '..2026_11_22'));
    writeFileSync(join(dir, 'ANTHROPIC_API_KEY'), 'a-key');

    const store = await startStore(dir);

    expect(store.lookup('..2026_11_22')).toBeUndefined();
    expect(store.lookup('ANTHROPIC_API_KEY')).toBe('a-key');
  });
});

describe('parseCredentialsFile', () => {
  it('reads NAME=value lines with comments and quotes', () => {
    const parsed = parseCredentialsFile(
      '# keys\nOPENAI_API_KEY="sk-1"\nOLLAMA_BASE_URL=http://ollama:11434\n',
      'c.env',
    );

    expect(Object.fromEntries(parsed)).toEqual({ OPENAI_API_KEY: 'sk-1', OLLAMA_BASE_URL: 'http://ollama:11434' });
  });

  it('refuses a name that is not a credential name, without echoing values', () => {
    expect(() => parseCredentialsFile('"bad name": secret-value\n', 'c.yaml')).toThrow(
      "c.yaml: 'bad name' is not a credential name (letters, digits, _)",
    );
  });
});
