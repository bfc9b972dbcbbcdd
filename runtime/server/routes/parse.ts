import type { z } from 'zod';
import { formatInputPath } from '../../input/format-input-path.ts';
import { InvalidRequest } from '../../runtime-error.ts';

/** Validates input against its schema; the error names the first offending field. */
export function parse<T>(schema: z.ZodType<T>, input: unknown, what = 'body'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = formatInputPath(
    (issue?.path ?? []).map((key) => (typeof key === 'symbol' ? String(key) : key)),
    what,
  );
  throw new InvalidRequest(`${path}: ${issue?.message ?? 'invalid'}`);
}
