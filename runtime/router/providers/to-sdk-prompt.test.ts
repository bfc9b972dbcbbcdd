import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../model-types.ts';
import { toSdkPrompt } from './to-sdk-prompt.ts';

describe('toSdkPrompt', () => {
  it('moves every system message into the instructions, in order', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Summary of earlier turns: none.' },
    ];

    const prompt = toSdkPrompt(messages);

    expect(prompt).toEqual({
      instructions: 'You are terse.\n\nSummary of earlier turns: none.',
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });

  it('has no instructions when there is no system message', () => {
    const prompt = toSdkPrompt([{ role: 'user', content: 'Hi' }]);

    expect(prompt.instructions).toBeUndefined();
  });

  it("turns an assistant's tool calls into tool-call parts after its text", () => {
    const messages: ChatMessage[] = [
      {
        role: 'assistant',
        content: 'Let me check.',
        toolCalls: [{ id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }],
      },
    ];

    const prompt = toSdkPrompt(messages);

    expect(prompt.messages).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' } },
        ],
      },
    ]);
  });

  it('groups the results of parallel tool calls into one tool message', () => {
    const messages: ChatMessage[] = [
      { role: 'tool', toolCallId: 'call_1', toolName: 'get_weather', content: '{"celsius":21}' },
      { role: 'tool', toolCallId: 'call_2', toolName: 'get_time', content: '"14:00"' },
    ];

    const prompt = toSdkPrompt(messages);

    expect(prompt.messages).toEqual([
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            toolName: 'get_weather',
            output: { type: 'text', value: '{"celsius":21}' },
          },
          {
            type: 'tool-result',
            toolCallId: 'call_2',
            toolName: 'get_time',
            output: { type: 'text', value: '"14:00"' },
          },
        ],
      },
    ]);
  });

  it('drops an empty assistant turn', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '' },
    ];

    const prompt = toSdkPrompt(messages);

    expect(prompt.messages).toEqual([{ role: 'user', content: 'Hi' }]);
  });
});
