/**
 * Pulls the first JSON object out of a model reply: models wrap JSON in prose or ```json fences
 * often enough that insisting on a bare object would fail real runs. Undefined when there is none.
 */
export function parseJsonReply(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1];
  for (const candidate of [fenced, text].filter((t): t is string => t !== undefined)) {
    const start = candidate.indexOf('{');
    const end = candidate.lastIndexOf('}');
    if (start === -1 || end <= start) continue;
    try {
      return JSON.parse(candidate.slice(start, end + 1));
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/** A non-empty list of strings under `key`, capped at `max`, or undefined. */
export function stringListOf(value: unknown, key: string, max: number): string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const list = (value as Record<string, unknown>)[key];
  if (!Array.isArray(list)) return undefined;
  const items = list
    .map((item) =>
      typeof item === 'string' ? item : typeof item === 'object' && item !== null ? JSON.stringify(item) : '',
    )
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.length > 0 ? items.slice(0, max) : undefined;
}
