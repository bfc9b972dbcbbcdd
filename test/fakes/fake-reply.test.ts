import { describe, expect, it } from 'vitest';
import { fakeReply, splitIntoWords } from './fake-reply.ts';

describe('splitIntoWords', () => {
  it('gives one delta per word, each with the whitespace before it', () => {
    expect(splitIntoWords('Sunny and  mild\n')).toEqual(['Sunny', ' and', '  mild\n']);
  });

  it('keeps leading whitespace on the first word', () => {
    expect(splitIntoWords('  Hi there')).toEqual(['  Hi', ' there']);
  });

  it('gives text without words back whole', () => {
    expect(splitIntoWords('')).toEqual(['']);
  });
});

describe('fakeReply', () => {
  it('streams exactly the deltas it was given as an array', () => {
    const reply = fakeReply.text(['Hel', 'lo']);

    expect(reply.textDeltas).toEqual(['Hel', 'lo']);
  });

  it('ends a tool call answer with the tool_calls finish reason', () => {
    const reply = fakeReply.toolCall('get_weather', { city: 'Paris' });

    expect(reply).toMatchObject({
      toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }],
      finishReason: 'tool_calls',
    });
  });

  it('gives a failure the usual message for its status', () => {
    expect(fakeReply.failure(429).message).toBe('Rate limit reached, please retry later.');
  });
});
