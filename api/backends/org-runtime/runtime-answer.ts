import { z } from 'zod';

/**
 * What the Cloud API reads of a runtime's finished run: the body of `POST /v1/agents/{id}/run`
 * and the fields of the WebSocket's `done` event (seed 002). The runtime is not trusted to
 * answer well-formed, so its answer is parsed, not cast.
 */
export const RuntimeAnswer = z.object({
  response: z.string(),
  session_id: z.string(),
  usage: z.object({ input_tokens: z.number().int().min(0), output_tokens: z.number().int().min(0) }),
  /** provider/model of the candidate that answered; null when no model was called. */
  model: z.string().nullable(),
  trace_id: z.string(),
  /**
   * metadata.version of the file that ran, where the API stamps the agent version it deployed:
   * the pod that answered knows which version it ran, even mid-rollout. Absent from older runtimes.
   */
  agent_version: z.string().nullable().optional(),
});
export type RuntimeAnswer = z.infer<typeof RuntimeAnswer>;

/** The runtime's stream events the Cloud API passes on, with only their documented fields. */
export type RuntimeProgressEvent =
  | { type: 'token'; content: string }
  | { type: 'tool_call'; tool: string; input: unknown }
  | { type: 'tool_result'; tool: string; output: unknown };
