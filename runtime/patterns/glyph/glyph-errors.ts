import type { Position } from './glyph-syntax.ts';

/**
 * A program that is not Glyph, or that cannot run against this agent's tools. The message goes
 * back to the model in a repair round, so it says where and what was expected, in words a model
 * can act on.
 */
export class GlyphProgramError extends Error {
  override name = 'GlyphProgramError';
  readonly line: number;
  readonly column: number;
  readonly reason: string;

  constructor(at: Position, reason: string) {
    super(`line ${at.line}, column ${at.column}: ${reason}`);
    this.line = at.line;
    this.column = at.column;
    this.reason = reason;
  }
}

/** One tool call a program made, as a repair prompt and the run's records report it. */
export interface GlyphCallRecord {
  tool: string;
  input: Record<string, unknown>;
  output: unknown;
  success: boolean;
}

/** A valid program failed while running: a tool failed, or a value was not what a stage needs. */
export class GlyphExecutionError extends Error {
  override name = 'GlyphExecutionError';
  /** What ran before the failure; those effects happened and must not be repeated blindly. */
  readonly calls: GlyphCallRecord[];
  readonly bindings: Record<string, unknown>;

  constructor(message: string, partial: { calls: GlyphCallRecord[]; bindings: Record<string, unknown> }) {
    super(message);
    this.calls = partial.calls;
    this.bindings = partial.bindings;
  }
}
