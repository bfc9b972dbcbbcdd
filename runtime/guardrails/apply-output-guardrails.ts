import { applyRuleStages } from './apply-rule-stages.ts';
import { appliedGuardrail, compileGuardrailRules } from './compile-guardrail-rules.ts';
import type { AppliedGuardrail, GuardedText, GuardrailRule } from './guardrail-types.ts';
import { costLimitDetail, truncateToTokenEstimate } from './truncate-to-token-estimate.ts';

/**
 * The agent's output guardrails over a whole answer, in the order listed: pii_detection (alias
 * pii_filter) redacts or blocks, content_filter (alias content_safety) replaces blocked patterns
 * with [FILTERED] or blocks, cost_limit truncates. createOutputStreamFilter gives the same text
 * for a streamed answer.
 */
export function applyOutputGuardrails(text: string, rules: readonly GuardrailRule[] = []): GuardedText {
  let current = text;
  const applied: AppliedGuardrail[] = [];
  for (const compiled of compileGuardrailRules(rules, 'output')) {
    if (compiled.kind === 'stages') {
      const result = applyRuleStages(compiled, current);
      current = result.text;
      if (result.applied) applied.push(result.applied);
    } else if (compiled.kind === 'cost_limit') {
      const result = truncateToTokenEstimate(current, compiled.maxTokens);
      if (result.keptWords < result.words) {
        current = result.text;
        applied.push(appliedGuardrail(compiled, costLimitDetail(result.keptWords, compiled.maxTokens)));
      }
    }
  }
  return { text: current, applied };
}
