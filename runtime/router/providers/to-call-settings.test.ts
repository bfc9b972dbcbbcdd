import { describe, expect, it } from 'vitest';
import type { ResolvedModelBlock } from '../resolve-model-block.ts';
import { toCallSettings } from './to-call-settings.ts';

function aBlock(overrides: Partial<ResolvedModelBlock> = {}): ResolvedModelBlock {
  return { provider: 'openai', model: 'gpt-4o-mini', ...overrides };
}

const aRequest = (maxOutputTokens?: number) => ({ messages: [], maxOutputTokens });

describe('toCallSettings', () => {
  it("maps the block's sampling settings to the SDK's", () => {
    const block = aBlock({
      temperature: 0.3,
      max_tokens: 512,
      parameters: { top_p: 0.9, top_k: 40, stop: ['END'], seed: 7, presence_penalty: 0.1, frequency_penalty: 0.2 },
    });

    const settings = toCallSettings({ block, request: aRequest(), candidate: 'openai/gpt-4o-mini' });

    expect(settings).toEqual({
      temperature: 0.3,
      maxOutputTokens: 512,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
    });
  });

  it('accepts a single stop string', () => {
    const settings = toCallSettings({
      block: aBlock({ parameters: { stop: '###' } }),
      request: aRequest(),
      candidate: 'c',
    });

    expect(settings.stopSequences).toEqual(['###']);
  });

  it("lets the request's output-token cap override the block's", () => {
    const settings = toCallSettings({ block: aBlock({ max_tokens: 4096 }), request: aRequest(64), candidate: 'c' });

    expect(settings.maxOutputTokens).toBe(64);
  });

  it('ignores parameters it does not know', () => {
    const settings = toCallSettings({
      block: aBlock({ parameters: { mirostat: 2 } }),
      request: aRequest(),
      candidate: 'c',
    });

    expect(Object.values(settings).every((value) => value === undefined)).toBe(true);
  });

  it('rejects a malformed parameter with a final error naming it', () => {
    const block = aBlock({ parameters: { top_p: 3 } });

    const settle = () => toCallSettings({ block, request: aRequest(), candidate: 'openai/gpt-4o-mini' });

    expect(settle).toThrow(expect.objectContaining({ candidate: 'openai/gpt-4o-mini', isRetryable: false }));
    expect(settle).toThrow(/^parameters\.top_p: /);
  });

  it("puts Ollama's settings in options only, under Ollama's names", () => {
    const block = aBlock({ provider: 'ollama', temperature: 0.1, max_tokens: 100, parameters: { top_k: 20 } });

    const settings = toCallSettings({ block, request: aRequest(), candidate: 'c' });

    expect(settings).toEqual({
      providerOptions: { ollama: { options: { temperature: 0.1, top_k: 20, num_predict: 100 } } },
    });
  });

  it('sends Ollama no options when nothing is set', () => {
    const settings = toCallSettings({ block: aBlock({ provider: 'ollama' }), request: aRequest(), candidate: 'c' });

    expect(settings).toEqual({});
  });
});
