import type Router from '@koa/router';
import type { CatalogEntry } from '../../config/agent-catalog.ts';
import type { AgentDocument } from '../../config/agent-schema.ts';
import { RunRequest } from '../../engine/run-request.ts';
import type { RuntimeServices } from '../runtime-services.ts';
import { abortOnClientGone } from './abort-on-client-gone.ts';
import { parse } from './parse.ts';

export function agentRoutes(router: Router, services: RuntimeServices): void {
  router.get('/agents', (ctx) => {
    ctx.body = { agents: services.agentFiles().map((entry) => agentSummary(entry, services)) };
  });

  router.get('/agents/:name', (ctx) => {
    const agent = services.engine.agent(ctx.params.name as string);
    const entry = services.agentFiles().find((candidate) => candidate.name === agent.metadata.name);
    ctx.body = agentDetail(agent, entry?.error);
  });

  router.post('/agents/:name/run', async (ctx) => {
    const request = parse(RunRequest, ctx.request.body);
    ctx.body = await services.engine.run(ctx.params.name as string, request, { signal: abortOnClientGone(ctx) });
  });
}

function agentSummary(entry: CatalogEntry, services: RuntimeServices) {
  const agent = entry.agent;
  return {
    name: entry.name,
    description: agent?.spec.identity?.description ?? null,
    version: agent?.metadata.version ?? null,
    model: agent ? primaryModelOf(agent) : null,
    orchestration: agent?.spec.orchestration?.pattern ?? (agent ? 'react' : null),
    status: agent && services.engine.isLoaded(entry.name) ? 'ready' : 'error',
    ...(entry.error ? { error: entry.error } : {}),
  };
}

function agentDetail(agent: AgentDocument, error: string | undefined) {
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
    memory: { conversational: spec.memory?.conversational?.backend ?? 'memory' },
    guardrails: { input: spec.guardrails?.input ?? [], output: spec.guardrails?.output ?? [] },
    status: 'ready',
    ...(error ? { error } : {}),
  };
}

function primaryModelOf(agent: AgentDocument): string | null {
  const block = agent.spec.model.primary ?? agent.spec.model.default?.candidates[0];
  return block ? `${block.provider}/${block.model}` : null;
}
