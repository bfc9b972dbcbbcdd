import type { GuardrailAction, GuardrailRule, GuardrailSide, GuardrailType } from './guardrail-types.ts';

type RuleSetting = Exclude<keyof GuardrailRule, 'type' | 'action'>;

export interface GuardrailKind {
  sides: GuardrailSide[];
  /** The first is the default. */
  actions: GuardrailAction[];
  settings: RuleSetting[];
  /** Settings of which at least one must have an entry, or the rule would do nothing. */
  requiredSettings?: ('blocked_topics' | 'forbidden_topics' | 'blocked_patterns' | 'forbidden_keywords')[];
}

const pii: GuardrailKind = { sides: ['input', 'output'], actions: ['redact', 'block'], settings: [] };

/**
 * What each guardrail type does where (../shared/research/astromesh.md, section 3, "Guardrails").
 * pii_filter and content_safety are the Cloud wizard's names for pii_detection and content_filter;
 * content_safety alone may leave blocked_patterns out and get a default list.
 */
export const guardrailKinds: Record<GuardrailType, GuardrailKind> = {
  pii_detection: pii,
  pii_filter: pii,
  topic_filter: {
    sides: ['input'],
    // Upstream's default is warn; ours stays block, the safer reading of a rule that names no action.
    actions: ['block', 'warn'],
    settings: ['blocked_topics', 'forbidden_topics'],
    requiredSettings: ['blocked_topics', 'forbidden_topics'],
  },
  max_length: { sides: ['input'], actions: ['truncate', 'block'], settings: ['max_chars'] },
  content_filter: {
    sides: ['output'],
    actions: ['redact', 'block'],
    settings: ['blocked_patterns', 'forbidden_keywords'],
    requiredSettings: ['blocked_patterns', 'forbidden_keywords'],
  },
  content_safety: {
    sides: ['output'],
    actions: ['redact', 'block'],
    settings: ['blocked_patterns', 'forbidden_keywords'],
  },
  cost_limit: { sides: ['output'], actions: ['truncate'], settings: ['max_tokens_per_turn'] },
};

export const actionOf = (rule: GuardrailRule): GuardrailAction =>
  rule.action ?? (guardrailKinds[rule.type].actions[0] as GuardrailAction);
