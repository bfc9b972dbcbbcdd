import type { z } from 'zod';
import { ToolError } from './tool-types.ts';

/**
 * Reads a tool's `tools[].config` with its schema. The toolset already checked it when the agent
 * loaded; this is the typed read, and the error for a tool run outside a toolset.
 */
export function parseToolConfig<T>(schema: z.ZodType<T>, config: Record<string, unknown>, tool: string): T {
  const result = schema.safeParse(config);
  if (result.success) return result.data;
  throw new ToolError('not_configured', `${tool} config: ${describeIssue(result.error.issues[0])}`);
}

export function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid';
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}
