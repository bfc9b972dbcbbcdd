import type { RoutingStrategy } from '../config/agent-schema.ts';
import { modelTraits } from './model-catalog.ts';
import type { ResolvedModelBlock } from './resolve-model-block.ts';

export interface Candidate {
  /** Identifies the candidate across agents (breakers, latency): provider, model and endpoint. */
  key: string;
  block: ResolvedModelBlock;
}

export interface RankingInputs {
  candidates: Candidate[];
  strategy: RoutingStrategy;
  /** Whether this request offers tools to the model (capability_match). */
  needsTools: boolean;
  /** Smoothed latency per candidate key; missing means never measured. */
  latencyMs: (key: string) => number | undefined;
  /** Monotonic per-group counter, for round_robin. */
  turn: number;
}

/**
 * Orders the candidates of one group for one request. Every strategy keeps the declared order
 * between candidates it considers equal, so `primary` stays ahead of `fallback` on ties.
 *
 * - cost_optimized: cheapest first (model catalog list prices; Ollama costs nothing).
 * - latency_optimized: lowest smoothed latency first; a candidate never measured counts as 0 ms,
 *   so each one gets tried and measured once.
 * - round_robin: rotates the starting candidate on every request.
 * - capability_match: candidates that can do what the request needs (tool calling when tools
 *   are offered) first, in declared order; the rest stay as fallbacks.
 * - quality_first: highest quality tier first.
 */
export function rankCandidates(inputs: RankingInputs): Candidate[] {
  const { candidates, strategy } = inputs;
  switch (strategy) {
    case 'cost_optimized':
      return stableSortBy(candidates, (c) => modelTraits(c.block).costPerMillionTokens);
    case 'quality_first':
      return stableSortBy(candidates, (c) => -modelTraits(c.block).qualityTier);
    case 'latency_optimized':
      return stableSortBy(candidates, (c) => inputs.latencyMs(c.key) ?? 0);
    case 'capability_match':
      return stableSortBy(candidates, (c) => (inputs.needsTools && !modelTraits(c.block).supportsTools ? 1 : 0));
    case 'round_robin': {
      if (candidates.length === 0) return [];
      const start = inputs.turn % candidates.length;
      return [...candidates.slice(start), ...candidates.slice(0, start)];
    }
  }
}

function stableSortBy<T>(items: T[], score: (item: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index, score: score(item) }))
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .map(({ item }) => item);
}

export function candidateKey(block: ResolvedModelBlock): string {
  return `${block.provider}/${block.model}@${block.endpoint ?? 'default'}`;
}
