import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The AI SDK's modules are a good part of astromeshd's idle memory (issue 13); a runtime whose
// agents all speak OpenAI's Chat Completions wire must never load them. Module loading is process
// state, so each case runs one call in a fresh Node process that records every `ai` and
// `@ai-sdk/*` module it resolves.

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

const childScript = `
import { registerHooks } from 'node:module';
const sdkModules = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    const match = /node_modules\\/(ai|@ai-sdk\\/[^/]+)\\//.exec(result.url);
    if (match) sdkModules.add(match[1]);
    return result;
  },
});
const root = process.env.REPO_ROOT;
const provider = process.env.PROVIDER;
const { startFakeProvider } = await import(root + 'test/fakes/start-fake-provider.ts');
const { createCandidateClient } = await import(root + 'runtime/router/providers/create-candidate-client.ts');
const fake = await startFakeProvider(provider);
const client = createCandidateClient({
  block: { provider, model: 'a-model', endpoint: fake.baseUrl },
  credentials: () => 'test-key',
});
const response = await client.generate({ messages: [{ role: 'user', content: 'Hi' }] }, AbortSignal.timeout(10000));
await fake.close();
process.stdout.write(JSON.stringify({ text: response.text, sdkModules: [...sdkModules].sort() }));
`;

async function sdkModulesLoadedBy(provider: string): Promise<{ text: string; sdkModules: string[] }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', childScript], {
    env: { ...process.env, REPO_ROOT: repoRoot, PROVIDER: provider },
    timeout: 30_000,
  });
  return JSON.parse(stdout);
}

describe('loading the AI SDK', () => {
  it.each(['openai', 'openai_compat'])('never happens for a %s candidate', async (provider) => {
    const loaded = await sdkModulesLoadedBy(provider);

    expect(loaded).toEqual({ text: 'Hello from the fake provider.', sdkModules: [] });
  });

  it('happens on the first call of a provider the SDK still serves (anthropic)', async () => {
    const loaded = await sdkModulesLoadedBy('anthropic');

    expect(loaded.text).toBe('Hello from the fake provider.');
    expect(loaded.sdkModules).toEqual(expect.arrayContaining(['ai', '@ai-sdk/anthropic']));
  });
});
