import type Router from '@koa/router';
import { z } from 'zod';
import type { CatalogEntry } from '../../config/agent-catalog.ts';
import { type AgentDocument, GuardrailSpec, ModelBlock } from '../../config/agent-schema.ts';
import { RunRequest, type RunResult } from '../../engine/run-request.ts';
import type { RuntimeServices } from '../runtime-services.ts';
import { abortOnClientGone } from './abort-on-client-gone.ts';
import { parse } from './parse.ts';

// The contracts of /v1/agents (seed 002); the OpenAPI document (../openapi/) is built from them.

export const AgentParams = z.object({ name: z.string().describe('The agent id, metadata.name of its file.') });

// What the loaded file says that the runtime ignores; in the list and in each agent's own document.
const AgentWarnings = z
  .array(z.string())
  .optional()
  .describe('What the loaded file says that the runtime ignores (unknown keys), as `file: field: why`.');

export const AgentSummary = z.object({
  name: z.string(),
  description: z.string().nullable(),
  version: z.string().nullable(),
  model: z.string().nullable().describe('provider/model of the first candidate.'),
  orchestration: z.string().nullable(),
  status: z.enum(['ready', 'error']),
  error: z.string().optional().describe("Why the file's current content is refused (an older version may serve)."),
  warnings: AgentWarnings,
});
export const AgentList = z.object({ agents: z.array(AgentSummary) });

export const AgentDetail = z.object({
  name: z.string(),
  description: z.string().nullable(),
  version: z.string().nullable(),
  model: z.union([
    z.object({ default: z.unknown(), roles: z.record(z.string(), z.unknown()) }),
    z.object({ primary: ModelBlock.optional(), fallback: ModelBlock.nullable(), routing: z.string() }),
  ]),
  orchestration: z.object({ pattern: z.string(), max_iterations: z.int(), timeout: z.number().nullable() }),
  tools: z.array(z.string()),
  memory: z.object({
    conversational: z.string(),
    semantic: z.string().optional().describe('The vector store of memory.semantic, when the agent has it.'),
  }),
  guardrails: z.object({ input: z.array(GuardrailSpec), output: z.array(GuardrailSpec) }),
  status: z.literal('ready'),
  error: z.string().optional().describe("Why the file's current content is refused (this older version serves)."),
  warnings: AgentWarnings,
});

export const RunAnswer = z.object({
  response: z.string(),
  session_id: z.string(),
  tool_calls: z.array(
    z.object({
      tool: z.string(),
      input: z.unknown(),
      output: z.unknown(),
      success: z.boolean(),
      truncated: z
        .object({ tokens: z.int(), max_tokens: z.int(), omitted: z.int() })
        .optional()
        .describe(
          "Only when the model read a cut copy of the output (the tool's token budget): the output's estimated " +
            'tokens, the budget, and the list elements left out (0: its text was cut). output itself is whole.',
        ),
    }),
  ),
  usage: z.object({ input_tokens: z.int(), output_tokens: z.int(), total_tokens: z.int() }),
  timing: z.object({ total_ms: z.int(), model_ms: z.int(), tool_ms: z.int() }),
  model: z.string().nullable(),
  provider: z.string().nullable(),
  trace_id: z.string(),
  agent_version: z
    .string()
    .nullable()
    .describe(
      'metadata.version of the agent file that ran the request (the Cloud API stamps its agent version there); null when it has none.',
    ),
  data: z
    .unknown()
    .optional()
    .describe("Only with spec.output_schema: the answer's last JSON block, parsed and valid against it; else null."),
  data_error: z
    .string()
    .nullable()
    .optional()
    .describe('Only with spec.output_schema: why data is null (no JSON block, or what does not match); else null.'),
});

// The engine's result type lives in run-request.ts; this fails to compile if the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const runAnswerMatchesRunResult: Same<z.infer<typeof RunAnswer>, RunResult> = true;

export function agentRoutes(router: Router, services: RuntimeServices): void {
  router.get('/agents', (ctx) => {
    ctx.body = {
      agents: services.agentFiles().map((entry) => agentSummary(entry, services)),
    } satisfies z.infer<typeof AgentList>;
  });

  router.get('/agents/:name', (ctx) => {
    const agent = services.engine.agent(ctx.params.name as string);
    const entry = services.agentFiles().find((candidate) => candidate.name === agent.metadata.name);
    ctx.body = agentDetail(agent, entry);
  });

  router.post('/agents/:name/run', async (ctx) => {
    const request = parse(RunRequest, ctx.request.body);
    ctx.body = (await services.engine.run(ctx.params.name as string, request, {
      signal: abortOnClientGone(ctx),
    })) satisfies z.infer<typeof RunAnswer>;
  });
}

function agentSummary(entry: CatalogEntry, services: RuntimeServices): z.infer<typeof AgentSummary> {
  const agent = entry.agent;
  return {
    name: entry.name,
    description: agent?.spec.identity?.description ?? null,
    version: agent?.metadata.version ?? null,
    model: agent ? primaryModelOf(agent) : null,
    orchestration: agent?.spec.orchestration?.pattern ?? (agent ? 'react' : null),
    status: agent && services.engine.isLoaded(entry.name) ? 'ready' : 'error',
    ...(entry.error ? { error: entry.error } : {}),
    ...(entry.warnings.length > 0 ? { warnings: entry.warnings } : {}),
  };
}

function agentDetail(agent: AgentDocument, entry: CatalogEntry | undefined): z.infer<typeof AgentDetail> {
  const { spec } = agent;
  return {
    name: agent.metadata.name,
    description: spec.identity?.description ?? null,
    version: agent.metadata.version ?? null,
    model: spec.model.default
      ? { default: spec.model.default, roles: spec.model.roles ?? {} }
      : {
          primary: spec.model.primary,
          fallback: spec.model.fallback ?? null,
          routing: spec.model.routing?.strategy ?? 'cost_optimized',
        },
    orchestration: {
      pattern: spec.orchestration?.pattern ?? 'react',
      max_iterations: spec.orchestration?.max_iterations ?? 10,
      timeout: spec.orchestration?.timeout_seconds ?? null,
    },
    tools: (spec.tools ?? []).map((tool) => tool.name),
    memory: {
      conversational: spec.memory?.conversational?.backend ?? 'memory',
      ...(spec.memory?.semantic?.embeddings ? { semantic: spec.memory.semantic.backend ?? 'sqlite' } : {}),
    },
    guardrails: { input: spec.guardrails?.input ?? [], output: spec.guardrails?.output ?? [] },
    status: 'ready',
    ...(entry?.error ? { error: entry.error } : {}),
    ...(entry && entry.warnings.length > 0 ? { warnings: entry.warnings } : {}),
  };
}

function primaryModelOf(agent: AgentDocument): string | null {
  const block = agent.spec.model.primary ?? agent.spec.model.default?.candidates[0];
  return block ? `${block.provider}/${block.model}` : null;
}
