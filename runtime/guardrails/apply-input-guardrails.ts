import { GuardrailBlocked } from '../runtime-error.ts';
import { applyRuleStages } from './apply-rule-stages.ts';
import { appliedGuardrail, compileGuardrailRules } from './compile-guardrail-rules.ts';
import type { AppliedGuardrail, GuardedText, GuardrailRule } from './guardrail-types.ts';

/**
 * The agent's input guardrails over a user message, in the order listed: pii_detection (alias
 * pii_filter) redacts or blocks, topic_filter blocks, max_length truncates or blocks. A block
 * throws GuardrailBlocked (400, naming the rule); nothing of the message reaches the model.
 */
export function applyInputGuardrails(text: string, rules: readonly GuardrailRule[] = []): GuardedText {
  let current = text;
  const applied: AppliedGuardrail[] = [];
  for (const compiled of compileGuardrailRules(rules, 'input')) {
    switch (compiled.kind) {
      case 'stages': {
        const result = applyRuleStages(compiled, current);
        current = result.text;
        if (result.applied) applied.push(result.applied);
        break;
      }
      case 'topics': {
        const found = compiled.topics.find((topic) => topic.pattern.test(current));
        if (found && compiled.action === 'warn') {
          // Upstream's warn: the input goes on unchanged; the match is recorded (trace, run result).
          applied.push(
            appliedGuardrail(compiled, `mentions the blocked topic "${found.topic}"; let through (action warn)`),
          );
        } else if (found) {
          throw new GuardrailBlocked(
            compiled.rule.type,
            `input blocked by ${compiled.rule.type}: it mentions the blocked topic "${found.topic}"`,
          );
        }
        break;
      }
      case 'max_length': {
        // Characters as people count them (code points), so a cut never splits an emoji.
        const characters = Array.from(current);
        if (characters.length <= compiled.maxChars) break;
        if (compiled.action === 'block') {
          throw new GuardrailBlocked(
            compiled.rule.type,
            `input blocked by ${compiled.rule.type}: ${characters.length} characters, more than the ${compiled.maxChars} allowed`,
          );
        }
        current = characters.slice(0, compiled.maxChars).join('');
        applied.push(appliedGuardrail(compiled, `truncated ${characters.length} characters to ${compiled.maxChars}`));
        break;
      }
      case 'cost_limit':
        // Output only; compileGuardrailRules has already rejected it here.
        break;
    }
  }
  return { text: current, applied };
}
