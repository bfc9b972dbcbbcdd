import { z } from 'zod';

// Imports zod only, so Studio (studio/src/api) can take its types without pulling in the API.

/** The answer of POST …/run and …/test, and the fields of the stream's `done` event (seed 003). */
export const RunAgentAnswer = z.object({
  answer: z.string(),
  session_id: z.string().describe('Pass it again to continue the conversation; generated when the request had none.'),
  tokens_used: z.int().describe('Input plus output tokens of every model call of the run.'),
  input_tokens: z.int().describe('Prompt tokens of every model call of the run.'),
  output_tokens: z.int().describe('Completion tokens of every model call of the run.'),
  cost_usd: z
    .number()
    .nullable()
    .describe(
      'The run’s price in USD: input and output tokens × the price of the model that answered (the built-in table or ASTROMESH_MODEL_PRICES), rounded to 1e-9. Null when that model is unpriced.',
    ),
  model: z.string().describe('provider/model that answered, e.g. openai/gpt-6-luna.'),
  latency_ms: z.int(),
  trace_id: z.string(),
  version: z
    .int()
    .nullable()
    .describe(
      'The agent version that answered (GET …/versions/{n}), as the runtime that ran it says: during a rollout, the old or the new one. Null if unknown.',
    ),
});
export type RunAgentAnswer = z.infer<typeof RunAgentAnswer>;
