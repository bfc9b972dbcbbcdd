import { z } from 'zod';
import { RunAgentAnswer } from './run-agent-answer.ts';

// Imports zod only, so Studio's playground can take these types without pulling in the API.

/**
 * How WS …/stream counts its queries, from its `?mode=`: `run` (the default, seed 003) as runs,
 * against the daily limit and in usage; `test` as POST …/test does, neither.
 */
export const streamModes = ['run', 'test'] as const;
export type StreamMode = (typeof streamModes)[number];

/**
 * What a client may send on WS …/stream besides a query: `cancel` stops the query running (its
 * model request included); the query then ends with `cancelled` (or its `done`/`error`, had it
 * already finished). A cancel with nothing running is ignored: the query may just have ended.
 */
export const StreamCancel = z.object({ type: z.literal('cancel') });
export type StreamCancel = z.infer<typeof StreamCancel>;

/** What WS …/stream sends: progress events, then `done`, `cancelled` or `error` for each query. */
export const StreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('token'), content: z.string() }),
  z.object({ type: z.literal('tool_call'), tool: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('tool_result'), tool: z.string(), output: z.unknown() }),
  RunAgentAnswer.extend({ type: z.literal('done') }),
  z.object({ type: z.literal('cancelled') }),
  z.object({
    type: z.literal('error'),
    error: z.string(),
    message: z.string(),
    status: z.int(),
    retry_after: z
      .int()
      .optional()
      .describe('Seconds to wait before sending the query again, on a temporary refusal (503 database_unavailable).'),
  }),
]);
export type StreamEvent = z.infer<typeof StreamEvent>;
