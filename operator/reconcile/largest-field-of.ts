import type { ConfigIssue } from '../../runtime/config/load-agent-file.ts';

/**
 * The string field of a document that takes the most bytes (UTF-8), to tell the author of an
 * agent too large for its file or ConfigMap what to shorten. Only run on a document that passed
 * findAgentValueProblem, so it is bounded; iterative all the same.
 */
export function largestFieldOf(document: unknown): { path: ConfigIssue['path']; bytes: number } | undefined {
  let largest: { path: ConfigIssue['path']; bytes: number } | undefined;
  const stack: { value: unknown; path: ConfigIssue['path'] }[] = [{ value: document, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, path } = next;
    if (typeof value === 'string') {
      const bytes = Buffer.byteLength(value, 'utf8');
      if (!largest || bytes > largest.bytes) largest = { path, bytes };
    } else if (value !== null && typeof value === 'object') {
      const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
      // Pushed last to first: of fields as large, the first in the document is named.
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index] as readonly [string | number, unknown];
        stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return largest;
}
