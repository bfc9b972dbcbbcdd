import type { StreamEvent } from '../api/agent-stream.ts';

/** A piece of the agent's answer as it arrives: text, or a tool call with its result once there. */
export type AnswerPart =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; tool: string; input: unknown; hasResult: boolean; result?: unknown };

/** One query and the agent's answer to it, as the playground shows them. */
export interface ChatTurn {
  id: number;
  query: string;
  parts: AnswerPart[];
  state: 'answering' | 'done' | 'cancelled' | 'failed';
  /** What `done` said about the run. */
  facts?: { tokensUsed: number; model: string; latencyMs: number };
}

/**
 * The turn after one stream event: tokens grow the current text, a tool call starts a part of
 * its own and its result fills the latest call of that tool still waiting for one. The end
 * events (`done`, `cancelled`, `error`) settle the turn; what an error says is shown apart.
 */
export function applyStreamEvent(turn: ChatTurn, event: StreamEvent): ChatTurn {
  switch (event.type) {
    case 'token': {
      const last = turn.parts.at(-1);
      if (last?.kind === 'text')
        return { ...turn, parts: [...turn.parts.slice(0, -1), { ...last, text: last.text + event.content }] };
      return { ...turn, parts: [...turn.parts, { kind: 'text', text: event.content }] };
    }
    case 'tool_call':
      return {
        ...turn,
        parts: [...turn.parts, { kind: 'tool', tool: event.tool, input: event.input, hasResult: false }],
      };
    case 'tool_result': {
      const index = turn.parts.findLastIndex(
        (part) => part.kind === 'tool' && part.tool === event.tool && !part.hasResult,
      );
      if (index < 0) return turn;
      const parts = turn.parts.map((part, at) =>
        at === index && part.kind === 'tool' ? { ...part, hasResult: true, result: event.output } : part,
      );
      return { ...turn, parts };
    }
    case 'done': {
      // The answer in `done` is the whole text; tokens may have been missed (none are for a model that does not stream).
      const streamed = turn.parts.flatMap((part) => (part.kind === 'text' ? [part.text] : [])).join('');
      const parts: AnswerPart[] =
        streamed === '' && event.answer !== '' ? [{ kind: 'text', text: event.answer }] : turn.parts;
      const facts = { tokensUsed: event.tokens_used, model: event.model, latencyMs: event.latency_ms };
      return { ...turn, parts, state: 'done', facts };
    }
    case 'cancelled':
      return { ...turn, state: 'cancelled' };
    case 'error':
      return { ...turn, state: 'failed' };
  }
}
