import { findInputProblem } from '../input/find-input-problem.ts';
import { maxJsonDepth } from '../input/input-limits.ts';
import { maxAgentValues } from './agent-file-limits.ts';
import type { ConfigIssue } from './load-agent-file.ts';

interface Pending {
  value: unknown;
  path: (string | number)[];
  depth: number;
}

/**
 * The first thing in an agent document that no agent may hold, or undefined: more than
 * maxAgentValues values, nesting deeper than maxJsonDepth, a NUL in a string or key, a `__proto__`
 * key (findInputProblem, as for any caller input). Run before the schema or anything recursive
 * sees the value, and iterative: a document deeper than the call stack, or a YAML alias cycle,
 * is exactly what it must survive. `rootDepth` is the level of `value` (0 for a CloudAgent's
 * spec, so its `agent` counts like an agent file's document).
 */
export function findAgentValueProblem(value: unknown, options: { rootDepth?: number } = {}): ConfigIssue | undefined {
  const rootDepth = options.rootDepth ?? 1;
  // Counted first, on its own: findInputProblem visits every value, and aliases can make a small
  // file stand for billions of them. The depth bound also bounds each path kept on the stack.
  let values = 0;
  const stack: Pending[] = [{ value, path: [], depth: rootDepth }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    values++;
    if (values > maxAgentValues) {
      return {
        path: next.path,
        message: `more than ${maxAgentValues} values in the document (YAML aliases count once per use)`,
      };
    }
    const current = next.value;
    if (current === null || typeof current !== 'object') continue;
    if (next.depth > maxJsonDepth) return { path: next.path, message: `nested deeper than ${maxJsonDepth} levels` };
    const entries = Array.isArray(current)
      ? current.map((item, index) => [index, item] as const)
      : Object.entries(current);
    // Pushed last to first, so problems are found in document order.
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, child] = entries[index] as readonly [string | number, unknown];
      stack.push({ value: child, path: [...next.path, key], depth: next.depth + 1 });
    }
  }
  return findInputProblem(value, { rootDepth });
}
