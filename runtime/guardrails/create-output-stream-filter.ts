import { appliedGuardrail, type CompiledRule, compileGuardrailRules } from './compile-guardrail-rules.ts';
import { countMatchLabels } from './count-match-labels.ts';
import type { AppliedGuardrail, GuardrailRule, StreamProcessor } from './guardrail-types.ts';
import { streamTextStage } from './stream-text-stage.ts';
import { streamTokenLimit } from './stream-token-limit.ts';
import { costLimitDetail } from './truncate-to-token-estimate.ts';

export interface OutputStreamFilter {
  /** Takes the model's next text delta; returns the text that may be sent on now (often ''). */
  push(delta: string): string;
  /** At the end of the answer: the rest of the text. */
  finish(): string;
  /** A cost_limit truncated the answer: later deltas are dropped, so the model call can stop. */
  readonly stopped: boolean;
  /**
   * The rules that changed the text so far; complete after finish(). After a cost_limit stop the
   * rules before it have counted only the text that arrived, not the whole answer.
   */
  readonly applied: AppliedGuardrail[];
}

/**
 * The output guardrails over a streamed answer. Everything it returns, concatenated, is
 * applyOutputGuardrails(whole answer).text, however the model splits the text: each rule holds
 * back the tail where a match could still be forming (a word or number being written; for blocked
 * patterns what the longest of them could still need, patternHoldbackChars) and never releases
 * half a match. With no
 * output rules deltas pass straight through. A block throws GuardrailBlocked from push() or
 * finish(); text released before it contains no match. After a throw the filter must be dropped.
 */
export function createOutputStreamFilter(rules: readonly GuardrailRule[] = []): OutputStreamFilter {
  const compiled = compileGuardrailRules(rules, 'output');
  if (compiled.length === 0) return { push: (delta) => delta, finish: () => '', stopped: false, applied: [] };

  const reports = new Map<CompiledRule, { counts: Map<string, number>; truncatedAfter?: number }>();
  const reportOf = (rule: CompiledRule) => {
    const report = reports.get(rule) ?? { counts: new Map<string, number>() };
    reports.set(rule, report);
    return report;
  };
  const processors: StreamProcessor[] = compiled.flatMap((rule) => {
    if (rule.kind === 'stages') {
      return rule.stages.map((stage) =>
        streamTextStage(stage, (matches) => countMatchLabels(reportOf(rule).counts, matches)),
      );
    }
    if (rule.kind === 'cost_limit') {
      return [streamTokenLimit(rule.maxTokens, (keptWords) => (reportOf(rule).truncatedAfter = keptWords))];
    }
    return [];
  });
  let isStopped = false;

  return {
    push(delta) {
      if (isStopped) return '';
      let text = delta;
      for (const [index, processor] of processors.entries()) {
        text = processor.push(text);
        if (!processor.stopped) continue;
        // Nothing more will arrive: the rules after the truncating one see the end of the text now.
        isStopped = true;
        for (const later of processors.slice(index + 1)) text = later.push(text) + later.finish();
        return text;
      }
      return text;
    },
    finish() {
      if (isStopped) return '';
      isStopped = true;
      return processors.reduce((text, processor) => processor.push(text) + processor.finish(), '');
    },
    get stopped() {
      return processors.some((processor) => processor.stopped);
    },
    get applied() {
      return compiled.flatMap((rule) => {
        const report = reports.get(rule);
        if (!report) return [];
        if (rule.kind === 'stages' && report.counts.size > 0)
          return [appliedGuardrail(rule, rule.describe(report.counts))];
        if (rule.kind === 'cost_limit' && report.truncatedAfter !== undefined) {
          return [appliedGuardrail(rule, costLimitDetail(report.truncatedAfter, rule.maxTokens))];
        }
        return [];
      });
    },
  };
}
