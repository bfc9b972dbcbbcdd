import { z } from 'zod';
import { AgentName } from '../../crds/cloud-agent.ts';
import { abortOnClientGone } from '../http/abort-on-client-gone.ts';
import { orgRoute } from '../http/api-route.ts';
import { RunAgentAnswer, RunAgentBody } from '../schemas/run-agent.ts';
import type { ExecutionService } from '../services/execution-service.ts';
import { rateLimitHeaders } from '../services/usage-service.ts';
import { runAgentAnswerOf } from './run-agent-answer-of.ts';

const AgentParams = z.object({ slug: z.string(), name: AgentName });

export function executionRoutes(execution: ExecutionService) {
  return [
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents/{name}/run',
      summary: "Run a deployed agent; counts against the org's daily runs (X-RateLimit-* headers)",
      tag: 'Execution',
      params: AgentParams,
      body: RunAgentBody,
      response: RunAgentAnswer,
      errors: [404, 408, 429, 502, 503],
      handle: async ({ access, params, body, ctx }) =>
        runAgentAnswerOf(
          await execution.run({
            access,
            agentName: params.name,
            request: body,
            signal: abortOnClientGone(ctx),
            onRateLimit: (rateLimit) => ctx.set(rateLimitHeaders(rateLimit)),
          }),
        ),
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents/{name}/test',
      summary: 'Run a deployed agent without counting usage or the daily limit',
      tag: 'Execution',
      params: AgentParams,
      body: RunAgentBody,
      response: RunAgentAnswer,
      errors: [404, 408, 502, 503],
      handle: async ({ access, params, body, ctx }) =>
        runAgentAnswerOf(
          await execution.test({
            access,
            agentName: params.name,
            request: body,
            signal: abortOnClientGone(ctx),
            onRateLimit: (rateLimit) => ctx.set(rateLimitHeaders(rateLimit)),
          }),
        ),
    }),
  ];
}
