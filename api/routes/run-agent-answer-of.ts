import { usdOfNano } from '../pricing/price-runs.ts';
import type { RunAgentAnswer } from '../schemas/run-agent.ts';
import type { ExecutionAnswer } from '../services/execution-service.ts';

/** A finished run as the caller reads it: the body of …/run and …/test, and a stream's `done` event. */
export const runAgentAnswerOf = (answer: ExecutionAnswer): RunAgentAnswer => ({
  answer: answer.answer,
  session_id: answer.sessionId,
  tokens_used: answer.tokensUsed,
  input_tokens: answer.inputTokens,
  output_tokens: answer.outputTokens,
  cost_usd: usdOfNano(answer.costNanoUsd),
  model: answer.model,
  latency_ms: answer.latencyMs,
  trace_id: answer.traceId,
  version: answer.version,
});
