import type { z } from 'zod';
import { RunRequest } from '../../runtime/engine/run-request.ts';

export { RunAgentAnswer } from './run-agent-answer.ts';

// Execution (seed 003): POST …/run, POST …/test and each message of WS …/stream take the body
// the runtime takes (seed 002), so the two cannot drift apart.
export const RunAgentBody = RunRequest;
export type RunAgentBody = z.infer<typeof RunAgentBody>;
