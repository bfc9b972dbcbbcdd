import type { z } from 'zod';
import { InvalidRequest } from '../../runtime-error.ts';

/** Validates input against its schema; the error names the first offending field. */
export function parse<T>(schema: z.ZodType<T>, input: unknown, what = 'body'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') || what;
  throw new InvalidRequest(`${path}: ${issue?.message ?? 'invalid'}`);
}
