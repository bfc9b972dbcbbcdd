import { applyTextStage } from './apply-text-stage.ts';
import { appliedGuardrail, type CompiledRule } from './compile-guardrail-rules.ts';
import { countMatchLabels } from './count-match-labels.ts';
import type { AppliedGuardrail } from './guardrail-types.ts';

/** Runs a rule's find-and-replace stages over a whole text, in order. */
export function applyRuleStages(
  compiled: Extract<CompiledRule, { kind: 'stages' }>,
  text: string,
): { text: string; applied: AppliedGuardrail | undefined } {
  const counts = new Map<string, number>();
  let current = text;
  for (const stage of compiled.stages) {
    const result = applyTextStage(stage, current);
    current = result.text;
    countMatchLabels(counts, result.matches);
  }
  return {
    text: current,
    applied: counts.size > 0 ? appliedGuardrail(compiled, compiled.describe(counts)) : undefined,
  };
}
