import { z } from 'zod';
import { findInputProblem } from '../input/find-input-problem.ts';
import { maxJsonDepth, nulRefusal } from '../input/input-limits.ts';
import type { ToolCallRecord } from '../patterns/pattern-types.ts';

// POST /v1/agents/{name}/run and the WebSocket's first message (seed 002).
export const RunRequest = z.object({
  query: z
    .string()
    .min(1, 'must not be empty')
    .max(100_000)
    .refine((query) => !query.includes('\0'), nulRefusal),
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
    // The contract bounds what the decoders bound, so a request built in code (not decoded from
    // JSON) cannot carry a context that overflows the stack when it is serialised. The context is
    // level 2 of its request, so its own nesting counts from there.
    .superRefine((context, ctx) => {
      const problem = findInputProblem(context, { rootDepth: 2 });
      if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
    })
    .optional()
    .describe(
      `Variables for the prompt templates; keys starting with _ are ignored. The request nests at most ${maxJsonDepth} levels (so the context ${maxJsonDepth - 1}); no string holds a NUL.`,
    ),
});
export type RunRequest = z.infer<typeof RunRequest>;

export interface RunResult {
  response: string;
  session_id: string;
  tool_calls: ToolCallRecord[];
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  timing: { total_ms: number; model_ms: number; tool_ms: number };
  model: string | null;
  provider: string | null;
  trace_id: string;
  /** metadata.version of the agent file that ran this request; null when the file has none. */
  agent_version: string | null;
  /** spec.output_schema: the answer's JSON block, parsed and checked; null when it is not there or wrong. */
  data?: unknown;
  /** spec.output_schema: why `data` is null; null when it is not. */
  data_error?: string | null;
}
