import { describe, expect, it } from 'vitest';
import type { RoutingStrategy } from '../config/agent-schema.ts';
import { type Candidate, candidateKey, rankCandidates } from './rank-candidates.ts';
import type { NativeProvider } from './resolve-model-block.ts';

const candidate = (provider: NativeProvider, model: string): Candidate => {
  const block = { provider, model };
  return { key: candidateKey(block), block };
};

const frontier = candidate('anthropic', 'claude-opus-4-1');
const cheapHosted = candidate('openai', 'gpt-4o-mini');
const local = candidate('ollama', 'llama2:7b');

function rank(
  strategy: RoutingStrategy,
  overrides: { needsTools?: boolean; turn?: number; latency?: Record<string, number> } = {},
) {
  return rankCandidates({
    candidates: [frontier, cheapHosted, local],
    strategy,
    needsTools: overrides.needsTools ?? false,
    latencyMs: (key) => overrides.latency?.[key],
    turn: overrides.turn ?? 0,
  }).map((c) => c.block.model);
}

describe('rankCandidates', () => {
  it('cost_optimized puts the cheapest first: local Ollama, then the small hosted model', () => {
    expect(rank('cost_optimized')).toEqual(['llama2:7b', 'gpt-4o-mini', 'claude-opus-4-1']);
  });

  it('quality_first puts the highest quality tier first', () => {
    expect(rank('quality_first')).toEqual(['claude-opus-4-1', 'gpt-4o-mini', 'llama2:7b']);
  });

  it('latency_optimized puts the fastest measured first and tries unmeasured ones early', () => {
    const latency = { [frontier.key]: 900, [cheapHosted.key]: 150 };

    expect(rank('latency_optimized', { latency })).toEqual(['llama2:7b', 'gpt-4o-mini', 'claude-opus-4-1']);
  });

  it('round_robin starts one further on each turn', () => {
    expect([0, 1, 2, 3].map((turn) => rank('round_robin', { turn })[0])).toEqual([
      'claude-opus-4-1',
      'gpt-4o-mini',
      'llama2:7b',
      'claude-opus-4-1',
    ]);
  });

  it('capability_match moves models that cannot call tools behind the ones that can, when tools are offered', () => {
    const declared = [local, cheapHosted];

    const withTools = rankCandidates({
      candidates: declared,
      strategy: 'capability_match',
      needsTools: true,
      latencyMs: () => undefined,
      turn: 0,
    });
    const withoutTools = rankCandidates({
      candidates: declared,
      strategy: 'capability_match',
      needsTools: false,
      latencyMs: () => undefined,
      turn: 0,
    });

    expect(withTools.map((c) => c.block.model)).toEqual(['gpt-4o-mini', 'llama2:7b']);
    expect(withoutTools.map((c) => c.block.model)).toEqual(['llama2:7b', 'gpt-4o-mini']);
  });

  it('keeps the declared order between candidates a strategy considers equal', () => {
    const primary = candidate('openai', 'my-finetune-a');
    const fallback = candidate('openai', 'my-finetune-b');

    const ranked = rankCandidates({
      candidates: [primary, fallback],
      strategy: 'cost_optimized',
      needsTools: false,
      latencyMs: () => undefined,
      turn: 0,
    });

    expect(ranked).toEqual([primary, fallback]);
  });
});
