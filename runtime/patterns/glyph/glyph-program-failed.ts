import { RuntimeError } from '../../runtime-error.ts';

/**
 * A glyph run with no program that runs: the model's last program after every repair round was
 * still invalid or failed, or the agent file's fixed program failed. Upstream answers such a run
 * with its failure text as if it were the answer; a caller could take that for a reply, so here
 * the run fails, naming the last error (line and column when the program did not compile).
 */
export class GlyphProgramFailed extends RuntimeError {
  constructor(options: { lastError: Error; repairs: number; program: string; fixed: boolean }) {
    const what = options.fixed
      ? "the agent file's program failed"
      : `the model's program still failed after ${options.repairs} repair round(s)`;
    super('glyph_program_failed', 502, `${what}: ${options.lastError.message}`, {
      details: { program: options.program, repairs: options.repairs },
      cause: options.lastError,
    });
  }
}
