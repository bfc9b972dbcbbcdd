import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../api/agent-stream.ts';
import { applyStreamEvent, type ChatTurn } from './apply-stream-event.ts';

const aTurn = (): ChatTurn => ({ id: 1, query: 'What is 6 * 7?', parts: [], state: 'answering' });
const applyAll = (events: StreamEvent[]) => events.reduce(applyStreamEvent, aTurn());
const done = (answer: string): StreamEvent => ({
  type: 'done',
  answer,
  session_id: 's-1',
  tokens_used: 89,
  input_tokens: 50,
  output_tokens: 39,
  cost_usd: 0.0000309,
  model: 'openai/gpt-4o-mini',
  latency_ms: 1240,
  trace_id: 't-1',
  version: 1,
});

describe('applyStreamEvent', () => {
  it('grows the text token by token, and settles the turn with what done says about the run', () => {
    const partial = applyAll([
      { type: 'token', content: 'Our' },
      { type: 'token', content: ' pricing' },
    ]);
    const finished = applyStreamEvent(partial, done('Our pricing'));

    expect(partial).toMatchObject({ parts: [{ kind: 'text', text: 'Our pricing' }], state: 'answering' });
    expect(finished).toMatchObject({
      parts: [{ kind: 'text', text: 'Our pricing' }],
      state: 'done',
      facts: { tokensUsed: 89, model: 'openai/gpt-4o-mini', latencyMs: 1240 },
    });
  });

  it('puts a tool call between the texts before and after it, with its result once it comes', () => {
    const turn = applyAll([
      { type: 'token', content: 'Let me compute.' },
      { type: 'tool_call', tool: 'calculator', input: { expression: '6 * 7' } },
      { type: 'tool_result', tool: 'calculator', output: { result: 42 } },
      { type: 'token', content: 'It is 42.' },
    ]);

    expect(turn.parts).toEqual([
      { kind: 'text', text: 'Let me compute.' },
      { kind: 'tool', tool: 'calculator', input: { expression: '6 * 7' }, hasResult: true, result: { result: 42 } },
      { kind: 'text', text: 'It is 42.' },
    ]);
  });

  it("shows done's answer when no token came", () => {
    expect(applyAll([done('All at once.')]).parts).toEqual([{ kind: 'text', text: 'All at once.' }]);
  });

  it('marks a stopped turn cancelled and a refused one failed, keeping what had arrived', () => {
    const stopped = applyAll([{ type: 'token', content: 'one' }, { type: 'cancelled' }]);
    const refused = applyAll([
      { type: 'error', error: 'agent_not_deployed', message: 'Deploy it first.', status: 400 },
    ]);

    expect(stopped).toMatchObject({ state: 'cancelled', parts: [{ kind: 'text', text: 'one' }] });
    expect(refused).toMatchObject({ state: 'failed', parts: [] });
  });
});
