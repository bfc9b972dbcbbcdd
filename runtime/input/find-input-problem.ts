import { maxJsonDepth, nulRefusal } from './input-limits.ts';

export interface InputProblem {
  /** Where, from the checked value: `['context', 'a', 0]`. */
  path: (string | number)[];
  message: string;
}

interface Pending {
  value: unknown;
  path: (string | number)[];
  depth: number;
}

/**
 * The first thing in a decoded JSON value that no route accepts, or undefined: nesting deeper
 * than `maxDepth` levels, a NUL in a string or a key, a `__proto__` key. Iterative on purpose:
 * input nested deeper than the call stack is exactly what it must survive. `rootDepth` is the
 * level of `value` in its document (2 for a body's `context`), so every check counts alike.
 */
export function findInputProblem(
  value: unknown,
  options: { maxDepth?: number; rootDepth?: number } = {},
): InputProblem | undefined {
  const maxDepth = options.maxDepth ?? maxJsonDepth;
  const stack: Pending[] = [{ value, path: [], depth: options.rootDepth ?? 1 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const key = next.path.at(-1);
    if (key === '__proto__') return { path: next.path, message: 'this key is not allowed' };
    if (typeof key === 'string' && key.includes('\0')) return { path: next.path, message: `its key ${nulRefusal}` };
    const current = next.value;
    if (typeof current === 'string') {
      if (current.includes('\0')) return { path: next.path, message: nulRefusal };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (next.depth > maxDepth) return { path: next.path, message: `nested deeper than ${maxDepth} levels` };
    // Pushed last to first, so problems are found in document order.
    const entries = Array.isArray(current)
      ? current.map((item, index) => [index, item] as const)
      : Object.entries(current);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [childKey, child] = entries[index] as readonly [string | number, unknown];
      stack.push({ value: child, path: [...next.path, childKey], depth: next.depth + 1 });
    }
  }
  return undefined;
}
