import type { TextMatch } from './guardrail-types.ts';

/** Adds each match to the tally of its label (email, phone, blocked_patterns[1]…). */
export function countMatchLabels(counts: Map<string, number>, matches: readonly TextMatch[]): void {
  for (const match of matches) counts.set(match.label, (counts.get(match.label) ?? 0) + 1);
}
