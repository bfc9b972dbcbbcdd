import { findInputProblem } from './find-input-problem.ts';
import { formatInputPath } from './format-input-path.ts';
import { InputRefused } from './input-refused.ts';

/**
 * Parses caller JSON (`what` names it in errors: `body`, `message`) and refuses what no route
 * accepts (see findInputProblem) before anything else touches it. `JSON.parse` itself is
 * iterative in V8, so depth is checked after parsing, before anything recursive sees the value.
 */
export function parseJsonInput(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the text around the error, which may hold a secret (an api_key): say
    // where the text is broken, never what it holds.
    const position = (err as Error).message.match(/ at position \d+/)?.[0] ?? '';
    throw new InputRefused(`${what}: not valid JSON${position}`);
  }
  refuseInputProblems(value, what);
  return value;
}

/** Throws InputRefused naming the field of the first problem findInputProblem sees in `value`. */
export function refuseInputProblems(value: unknown, what: string): void {
  const problem = findInputProblem(value);
  if (problem) throw new InputRefused(`${formatInputPath(problem.path, what)}: ${problem.message}`);
}
