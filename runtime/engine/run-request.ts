import { z } from 'zod';

// POST /v1/agents/{name}/run and the WebSocket's first message (seed 002).
export const RunRequest = z.object({
  query: z.string().min(1, 'must not be empty').max(100_000),
  session_id: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[A-Za-z0-9_.:@-]+$/, 'may contain letters, digits and _ . : @ -')
    .optional(),
  context: z
    .record(
      z
        .string()
        .max(64)
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'context keys must be identifiers'),
      z.unknown(),
    )
    .optional()
    .describe('Variables for the prompt templates; keys starting with _ are ignored.'),
});
export type RunRequest = z.infer<typeof RunRequest>;

export interface RunResult {
  response: string;
  session_id: string;
  tool_calls: { tool: string; input: unknown; output: unknown; success: boolean }[];
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  timing: { total_ms: number; model_ms: number; tool_ms: number };
  model: string | null;
  provider: string | null;
  trace_id: string;
}
