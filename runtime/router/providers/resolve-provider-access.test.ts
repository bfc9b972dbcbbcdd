import { describe, expect, it } from 'vitest';
import type { ResolvedModelBlock } from '../resolve-model-block.ts';
import { resolveProviderAccess } from './resolve-provider-access.ts';

const access = (block: Partial<ResolvedModelBlock>, credentials: Record<string, string>) =>
  resolveProviderAccess({
    block: { provider: 'openai_compat', model: 'gpt-4o-mini', ...block } as ResolvedModelBlock,
    credentials: (name) => credentials[name],
    candidate: 'openai_compat/gpt-4o-mini',
  });

describe('resolveProviderAccess for openai_compat', () => {
  it("calls OpenAI's API with OPENAI_API_KEY when neither the block nor OPENAI_COMPAT_BASE_URL gives a URL, as upstream", () => {
    expect(access({}, { OPENAI_API_KEY: 'sk-openai' })).toEqual({
      apiKey: 'sk-openai',
      baseUrl: 'https://api.openai.com/v1',
    });
  });

  it('prefers OPENAI_COMPAT_API_KEY, then the api_key_env the block names, for that default URL', () => {
    expect(access({}, { OPENAI_API_KEY: 'sk-openai', OPENAI_COMPAT_API_KEY: 'sk-compat' }).apiKey).toBe('sk-compat');
    expect(access({ api_key_env: 'TEAM_KEY' }, { OPENAI_API_KEY: 'sk-openai', TEAM_KEY: 'sk-team' }).apiKey).toBe(
      'sk-team',
    );
  });

  it('fails without retry, naming the key, when no key is set for the default URL', () => {
    expect(() => access({}, {})).toThrow(
      "credential OPENAI_API_KEY is not set (no endpoint or OPENAI_COMPAT_BASE_URL: calling OpenAI's API, as upstream does)",
    );
  });

  it("never sends OPENAI_API_KEY to a gateway's own URL", () => {
    expect(access({}, { OPENAI_API_KEY: 'sk-openai', OPENAI_COMPAT_BASE_URL: 'http://gateway:4000/v1' })).toEqual({
      apiKey: undefined,
      baseUrl: 'http://gateway:4000/v1',
    });
    expect(access({ endpoint: 'http://vllm:8000/v1' }, { OPENAI_API_KEY: 'sk-openai' })).toEqual({
      apiKey: undefined,
      baseUrl: 'http://vllm:8000/v1',
    });
  });
});
