import { guardrailKinds } from './guardrail-kinds.ts';
import type { GuardrailRule, GuardrailSide } from './guardrail-types.ts';
import { stripInlineIgnoreCase } from './strip-inline-ignore-case.ts';

export interface GuardrailRuleProblem {
  /** Relative to `spec.guardrails`, for a zod issue: `['output', 1, 'blocked_patterns', 0]`. */
  path: (string | number)[];
  /** The full field, for a message: `spec.guardrails.output[1].blocked_patterns[0]`. */
  field: string;
  message: string;
}

/**
 * Checks what the schema cannot: that each rule works where it stands (the right side, an action
 * its type supports, the settings it needs, regular expressions that compile). A rule that would
 * silently do nothing is an error too: upstream ignored guardrails, and an author must not believe
 * they are protected when they are not. The config loader calls this so a bad agent file is
 * rejected up front, naming the field.
 */
export function validateGuardrailRules(
  guardrails: Partial<Record<GuardrailSide, readonly GuardrailRule[]>> | undefined,
): GuardrailRuleProblem[] {
  const problems: GuardrailRuleProblem[] = [];
  for (const side of ['input', 'output'] as const) {
    guardrails?.[side]?.forEach((rule, index) => {
      const report = (message: string, ...rest: (string | number)[]) => {
        const path = [side, index, ...rest];
        problems.push({ path, field: fieldOf(path), message });
      };
      checkRule(rule, side, report);
    });
  }
  return problems;
}

function checkRule(
  rule: GuardrailRule,
  side: GuardrailSide,
  report: (message: string, ...path: (string | number)[]) => void,
): void {
  const kind = guardrailKinds[rule.type];
  if (!kind.sides.includes(side)) {
    report(`${rule.type} applies to ${kind.sides.join(' and ')} guardrails only`, 'type');
    return;
  }
  if (rule.action !== undefined && !kind.actions.includes(rule.action)) {
    report(`${rule.type} supports action ${kind.actions.join(' or ')}, not ${rule.action}`, 'action');
  }
  for (const setting of [
    'max_chars',
    'max_tokens_per_turn',
    'blocked_topics',
    'forbidden_topics',
    'blocked_patterns',
    'forbidden_keywords',
  ] as const) {
    if (rule[setting] !== undefined && !kind.settings.includes(setting)) {
      report(`${setting} has no effect on ${rule.type}`, setting);
    }
  }
  const required = kind.requiredSettings;
  if (required?.every((setting) => (rule[setting]?.length ?? 0) === 0)) {
    report(`${rule.type} does nothing without at least one entry`, required[0] as string);
  }
  for (const setting of ['blocked_topics', 'forbidden_topics'] as const) {
    rule[setting]?.forEach((topic, index) => {
      if (topic.trim() === '') report('a topic must not be blank', setting, index);
    });
  }
  rule.forbidden_keywords?.forEach((keyword, index) => {
    if (keyword.trim() === '') report('a keyword must not be blank', 'forbidden_keywords', index);
  });
  rule.blocked_patterns?.forEach((pattern, index) => {
    const problem = patternProblem(pattern);
    if (problem) report(problem, 'blocked_patterns', index);
  });
}

function patternProblem(pattern: string): string | undefined {
  try {
    // A pattern that matches the empty string (`x*`, `a|`) matches between any two characters: a mistake.
    if (new RegExp(stripInlineIgnoreCase(pattern), 'i').test('')) return 'matches the empty string';
  } catch (err) {
    return `is not a valid regular expression: ${(err as Error).message}`;
  }
  return undefined;
}

function fieldOf(path: (string | number)[]): string {
  return path.reduce<string>(
    (field, part) => (typeof part === 'number' ? `${field}[${part}]` : `${field}.${part}`),
    'spec.guardrails',
  );
}
