import { z } from 'zod';
import { RunRequest } from '../../runtime/engine/run-request.ts';

// Execution (seed 003): POST …/run, POST …/test and each message of WS …/stream take the body
// the runtime takes (seed 002), so the two cannot drift apart.
export const RunAgentBody = RunRequest;
export type RunAgentBody = z.infer<typeof RunAgentBody>;

export const RunAgentAnswer = z.object({
  answer: z.string(),
  session_id: z.string().describe('Pass it again to continue the conversation; generated when the request had none.'),
  tokens_used: z.int().describe('Input plus output tokens of every model call of the run.'),
  model: z.string().describe('provider/model that answered, e.g. openai/gpt-4o-mini.'),
  latency_ms: z.int(),
  trace_id: z.string(),
});
export type RunAgentAnswer = z.infer<typeof RunAgentAnswer>;

/** What WS …/stream sends: progress events, then `done` or `error` for each query. */
export const StreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('token'), content: z.string() }),
  z.object({ type: z.literal('tool_call'), tool: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('tool_result'), tool: z.string(), output: z.unknown() }),
  RunAgentAnswer.extend({ type: z.literal('done') }),
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
