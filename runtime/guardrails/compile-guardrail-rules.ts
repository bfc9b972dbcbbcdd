import { contentSafetyPatterns } from './content-safety-patterns.ts';
import { createPatternStage } from './create-pattern-stage.ts';
import { createPiiStages } from './create-pii-stages.ts';
import { GuardrailConfigError } from './guardrail-config-error.ts';
import { actionOf } from './guardrail-kinds.ts';
import type { AppliedGuardrail, GuardrailAction, GuardrailRule, GuardrailSide, TextStage } from './guardrail-types.ts';
import { stripInlineIgnoreCase } from './strip-inline-ignore-case.ts';
import { validateGuardrailRules } from './validate-guardrail-rules.ts';

interface CompiledBase {
  rule: GuardrailRule;
  action: GuardrailAction;
}

export type CompiledRule = CompiledBase &
  (
    | { kind: 'stages'; stages: TextStage[]; describe: (counts: ReadonlyMap<string, number>) => string }
    | { kind: 'topics'; topics: { topic: string; pattern: RegExp }[] }
    | { kind: 'max_length'; maxChars: number }
    | { kind: 'cost_limit'; maxTokens: number }
  );

// Upstream's defaults (../shared/research/astromesh.md, section 3).
const defaultMaxChars = 10_000;
const defaultMaxTokensPerTurn = 500;
const piiLabels = ['email', 'card', 'ssn', 'phone'];

// Agents' rules are parsed once per version of their file and then only read, so compiling them
// (regular expressions above all) is remembered per rules array. A WeakMap lets a replaced
// agent's rules be collected with it.
const compiledBySide: Record<GuardrailSide, WeakMap<readonly GuardrailRule[], CompiledRule[]>> = {
  input: new WeakMap(),
  output: new WeakMap(),
};

/** Validates and compiles one side's rules; a rule that cannot work throws GuardrailConfigError. */
export function compileGuardrailRules(rules: readonly GuardrailRule[], side: GuardrailSide): CompiledRule[] {
  const cached = compiledBySide[side].get(rules);
  if (cached) return cached;
  const problem = validateGuardrailRules({ [side]: rules })[0];
  if (problem) throw new GuardrailConfigError(problem.field, problem.message);
  const compiled = rules.map((rule) => compileRule(rule, side));
  compiledBySide[side].set(rules, compiled);
  return compiled;
}

function compileRule(rule: GuardrailRule, side: GuardrailSide): CompiledRule {
  const action = actionOf(rule);
  switch (rule.type) {
    case 'pii_detection':
    case 'pii_filter':
      return {
        rule,
        action,
        kind: 'stages',
        stages: createPiiStages({ type: rule.type, side, blocks: action === 'block' }),
        describe: (counts) =>
          `redacted ${piiLabels.flatMap((label) => (counts.has(label) ? [`${counts.get(label)} ${label}`] : [])).join(', ')}`,
      };
    case 'content_filter':
    case 'content_safety': {
      // Upstream's forbidden_keywords are literal words: escaped into patterns beside blocked_patterns.
      const own = [
        ...(rule.blocked_patterns ?? []).map((source, index) => ({
          source: stripInlineIgnoreCase(source),
          label: `blocked_patterns[${index}]`,
        })),
        ...(rule.forbidden_keywords ?? []).map((keyword, index) => ({
          source: keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
          label: `forbidden_keywords[${index}]`,
        })),
      ];
      const patterns = own.length
        ? own
        : contentSafetyPatterns.map((source, index) => ({ source, label: `content safety pattern ${index + 1}` }));
      return {
        rule,
        action,
        kind: 'stages',
        stages: [createPatternStage({ type: rule.type, side, patterns, blocks: action === 'block' })],
        describe: (counts) => {
          const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
          return `filtered ${total} ${total === 1 ? 'match' : 'matches'}`;
        },
      };
    }
    case 'topic_filter':
      return {
        rule,
        action,
        kind: 'topics',
        topics: [...(rule.blocked_topics ?? []), ...(rule.forbidden_topics ?? [])].map(compileTopic),
      };
    case 'max_length':
      return { rule, action, kind: 'max_length', maxChars: rule.max_chars ?? defaultMaxChars };
    case 'cost_limit':
      return { rule, action, kind: 'cost_limit', maxTokens: rule.max_tokens_per_turn ?? defaultMaxTokensPerTurn };
  }
}

/**
 * A topic matches as whole words, in any case, with any whitespace between its words: "gun" is
 * found in "Guns? A GUN." only as "GUN". Letters and digits of any script count as word characters.
 */
function compileTopic(topic: string): { topic: string; pattern: RegExp } {
  const literal = topic
    .trim()
    .replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')
    .replace(/\s+/g, String.raw`\s+`);
  return { topic: topic.trim(), pattern: new RegExp(String.raw`(?<![\p{L}\p{N}_])${literal}(?![\p{L}\p{N}_])`, 'iu') };
}

export function appliedGuardrail(compiled: CompiledRule, detail: string): AppliedGuardrail {
  return { type: compiled.rule.type, action: compiled.action, detail };
}
