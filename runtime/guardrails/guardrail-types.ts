import type { GuardrailSpec } from '../config/agent-schema.ts';
import type { GuardrailBlocked } from '../runtime-error.ts';

/** One entry of `spec.guardrails.input` or `spec.guardrails.output`. */
export type GuardrailRule = GuardrailSpec;
export type GuardrailType = GuardrailRule['type'];
export type GuardrailAction = NonNullable<GuardrailRule['action']>;
export type GuardrailSide = 'input' | 'output';

/** A rule that changed the text, for traces and run responses. */
export interface AppliedGuardrail {
  type: GuardrailType;
  action: GuardrailAction;
  detail: string;
}

export interface GuardedText {
  text: string;
  applied: AppliedGuardrail[];
}

export interface TextMatch {
  start: number;
  end: number;
  replacement: string;
  /** What was found (email, card, pattern…), counted in AppliedGuardrail.detail. */
  label: string;
}

/**
 * One find-and-replace (or find-and-block) pass over text. Streaming runs the same pass over a
 * moving window, so a stage also says how much of a text's end could still grow into a match.
 */
export interface TextStage {
  /** Non-overlapping, in order, all starting at or after `from`; text before `from` is only context. */
  findMatches(text: string, from: number): TextMatch[];
  /**
   * The earliest index of `text` that more text could still turn into (part of) a match, or
   * change a match at; a stream holds back everything from there. At most a bounded distance
   * from the end: the stage's longest possible match.
   */
  holdFrom(text: string): number;
  /** Set when the rule blocks instead of replacing: the error for the first match. */
  blockedBy?: (match: TextMatch) => GuardrailBlocked;
}

/** A streaming pass: text in, the part that can no longer change out. */
export interface StreamProcessor {
  push(text: string): string;
  finish(): string;
  /** The processor cut the text short; everything after is dropped. */
  readonly stopped: boolean;
}
