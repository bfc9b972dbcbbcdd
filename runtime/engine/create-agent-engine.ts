import { randomUUID } from 'node:crypto';
import type { CatalogChange, CatalogEntry } from '../config/agent-catalog.ts';
import type { AgentDocument } from '../config/agent-schema.ts';
import { createDeadline } from '../create-deadline.ts';
import { applyInputGuardrails } from '../guardrails/apply-input-guardrails.ts';
import { createOutputStreamFilter } from '../guardrails/create-output-stream-filter.ts';
import type { MemoryRecall, StoredTurn } from '../memory/memory-types.ts';
import { startRunTrace, type Tracing } from '../observability/create-tracing.ts';
import { createStepRunner } from '../patterns/create-step-runner.ts';
import type { RunEvent } from '../patterns/pattern-types.ts';
import { patterns } from '../patterns/patterns.ts';
import { defaultMaxToolResultTokens } from '../patterns/present-tool-result.ts';
import { rememberTurn, retrieveForPrompt } from '../rag/agent-rag.ts';
import type { RagResult } from '../rag/create-rag-service.ts';
import type { ChatMessage, Usage } from '../router/model-types.ts';
import { AgentNotFound, AgentUnavailable, OrchestrationTimeout } from '../runtime-error.ts';
import { bundleTools } from '../tools/bundle-tools.ts';
import {
  type AgentRuntime,
  buildAgentRuntime,
  renderSystemPrompt,
  renderTurnContext,
  type SharedRuntimeDeps,
} from './build-agent-runtime.ts';
import { type AgentChain, callAgentTool } from './call-agent-tool.ts';
import type { RunRequest, RunResult } from './run-request.ts';
import { structuredOutputOf } from './structured-output.ts';

export interface AgentEngineDeps extends SharedRuntimeDeps {
  /** The agent files as loaded, for listing and for explaining why an agent cannot run. */
  catalogEntries: () => CatalogEntry[];
  tracing: Tracing;
  /** Applies when an agent sets no orchestration.timeout_seconds. */
  defaultRunTimeoutSeconds?: number;
}

export interface RunOptions {
  /** Aborted when the caller goes away; the run and its model request stop. */
  signal: AbortSignal;
  /** Streaming callers receive tokens and tool events as they happen. */
  onEvent?: (event: RunEvent) => void;
  /** Set when another agent's tool started this run (agent tools, supervisor workers, swarm hand-offs). */
  chain?: AgentChain;
  /**
   * Given this run's token usage (its own model calls and its agents'), once it ends, failed or
   * not: the calling run adds it to its own, so a run's usage is everything it caused.
   */
  chargeUsage?: (usage: Usage) => void;
}

class OutputLimitReached extends Error {}

/**
 * The runtime's agents and the pipeline every run goes through: input guardrails, memory,
 * prompt, the orchestration pattern (streaming through the output guardrails), memory again.
 */
/** Upstream's patterns that put prompts.context before the query (`consumes_turn_context`). */
const patternsTakingTurnContext = new Set(['react', 'plan_and_execute', 'parallel_fan_out', 'pipeline', 'glyph']);

export function createAgentEngine(deps: AgentEngineDeps) {
  const runtimes = new Map<string, AgentRuntime>();
  const defaultRunTimeoutSeconds = deps.defaultRunTimeoutSeconds ?? 300;
  let activeRuns = 0;

  function onCatalogChange(change: CatalogChange): void {
    // The replaced version's MCP connections end (a stdio server with them); runs still using it
    // reconnect for their next call.
    closeMcp(runtimes.get(change.name));
    if (change.type === 'removed') {
      runtimes.delete(change.name);
      return;
    }
    runtimes.set(change.name, buildAgentRuntime(change.agent, deps));
  }

  function closeMcp(runtime: AgentRuntime | undefined): void {
    if (!runtime?.mcp.any) return;
    runtime.mcp
      .close()
      .catch((err: unknown) =>
        deps.log.warn({ err, agent: runtime.document.metadata.name }, 'closing MCP servers failed'),
      );
  }

  function runtimeOf(name: string): AgentRuntime {
    const runtime = runtimes.get(name);
    if (runtime) return runtime;
    const entry = deps.catalogEntries().find((candidate) => candidate.name === name);
    if (entry?.error) throw new AgentUnavailable(name, entry.error);
    throw new AgentNotFound(name);
  }

  async function run(name: string, request: RunRequest, options: RunOptions): Promise<RunResult> {
    const runtime = runtimeOf(name);
    const agent = runtime.document;
    // A session named here is new: nothing can be stored under a random id we just chose.
    const isNewSession = request.session_id === undefined;
    const sessionId = request.session_id ?? `sess_${randomUUID().replaceAll('-', '')}`;
    const startedAt = deps.now();
    const chain = options.chain ?? { depth: 0, handoffs: 0 };
    const trace = startRunTrace(deps.tracing.tracer, 'agent.run', {
      agent: name,
      session_id: sessionId,
      ...(chain.parentTraceId ? { parent_trace_id: chain.parentTraceId, handoffs: chain.handoffs } : {}),
    });
    const timeoutSeconds = agent.spec.orchestration?.timeout_seconds ?? defaultRunTimeoutSeconds;
    // Cleared when the run ends: see createDeadline for why not AbortSignal.timeout.
    const deadline = createDeadline(timeoutSeconds * 1000);
    const timeout = deadline.signal;
    const stopOutput = new AbortController();
    const signal = AbortSignal.any([options.signal, timeout, stopOutput.signal]);
    activeRuns++;
    deps.metrics.increment('agent.runs');
    let usage: Usage | undefined;
    try {
      const input = await trace.span('guardrails.input', { rules: runtime.guardrails.input.length }, async () =>
        applyInputGuardrails(request.query, runtime.guardrails.input),
      );
      // A new session has nothing to recall, so it costs its store no read: with PostgreSQL memory,
      // a run that starts a conversation makes one round trip instead of two (issue 13).
      const recalled = await trace.span(
        'memory.recall',
        { session_id: sessionId },
        async (): Promise<MemoryRecall> =>
          isNewSession ? { messages: [], text: '' } : runtime.memory.recall(name, sessionId),
      );
      // Only agents with knowledge or semantic memory retrieve (and trace it).
      const retrieves = runtime.rag.knowledge.pipeline !== undefined || runtime.rag.semantic !== undefined;
      const retrieved = retrieves
        ? await trace.span('rag.retrieve', { pipeline: agent.spec.knowledge?.pipeline ?? '' }, () =>
            retrieveForPrompt({
              rag: runtime.rag,
              topK: agent.spec.knowledge?.top_k,
              query: input.text,
              sessionId,
              promptRendersKnowledge: runtime.promptRendersKnowledge,
              signal,
              log: deps.log.child({ agent: name }),
            }),
          )
        : { knowledge: '', messages: [] };
      const promptVariables = { memory: recalled.text, context: request.context ?? {}, knowledge: retrieved.knowledge };
      const { system, turnContext } = await trace.span('prompt.render', {}, async () => ({
        system: await renderSystemPrompt(runtime, promptVariables),
        turnContext: await renderTurnContext(runtime, promptVariables),
      }));
      // prompts.context, as upstream delivers it: before the query where the pattern reads the
      // conversation, else at the end of the system prompt.
      const contextWithQuery =
        turnContext !== '' && patternsTakingTurnContext.has(agent.spec.orchestration?.pattern ?? 'react');
      const systemContent =
        turnContext === '' || contextWithQuery ? system : [system, turnContext].filter(Boolean).join('\n\n');
      const messages: ChatMessage[] = [
        ...(systemContent === undefined ? [] : [{ role: 'system' as const, content: systemContent }]),
        ...(runtime.promptRendersMemory ? [] : recalled.messages),
        ...retrieved.messages,
        { role: 'user', content: contextWithQuery ? `${turnContext}\n\n${input.text}` : input.text },
      ];

      // The MCP servers' tools, discovered now: a server's list can change while the agent is loaded.
      const mcpTools = runtime.mcp.any
        ? new Map(
            (await trace.span('mcp.discover', {}, () => runtime.mcp.discover(signal)))
              .filter((tool) => runtime.isPermitted(tool.name))
              .map((tool) => [tool.name, tool]),
          )
        : undefined;
      const output = createOutputStreamFilter(runtime.guardrails.output);
      let response = '';
      const send = (content: string) => {
        if (content === '') return;
        response += content;
        options.onEvent?.({ type: 'token', content });
      };
      const emit = (event: RunEvent) => {
        if (event.type !== 'token') return options.onEvent?.(event);
        send(output.push(event.content));
        // A cost limit was reached: stop paying for tokens nobody will see.
        if (output.stopped) stopOutput.abort(new OutputLimitReached());
      };
      const { steps, totals } = createStepRunner({
        router: runtime.router,
        roleMap: agent.spec.orchestration?.role_map,
        // Upstream's budgets: the tool's own, else the agent's, else 8,000 tokens.
        maxToolResultTokens: (tool) =>
          agent.spec.tools?.find((spec) => spec.name === (mcpTools?.get(tool)?.server ?? tool))?.max_result_tokens ??
          agent.spec.orchestration?.max_tool_result_tokens ??
          defaultMaxToolResultTokens,
        tools: {
          definitions: mcpTools ? [...runtime.toolDefinitions, ...mcpTools.values()] : runtime.toolDefinitions,
          execute: async (call, callSignal, callOptions) => {
            const mcpTool = mcpTools?.get(call.name);
            if (mcpTool) return runtime.mcp.execute(call, mcpTool, { signal: callSignal });
            const target = runtime.agentTools.get(call.name);
            if (target !== undefined) {
              return callAgentTool({
                target,
                call,
                signal: callSignal,
                sessionId,
                chain,
                traceId: trace.traceId,
                handoff: callOptions?.handoff,
                contextTransform: agent.spec.tools?.find((tool) => tool.type === 'agent' && tool.name === call.name)
                  ?.context_transform,
                run,
                // The called agent's tokens are this run's too (the Cloud API bills and limits by them).
                chargeUsage: (more) => {
                  totals.usage.inputTokens += more.inputTokens;
                  totals.usage.outputTokens += more.outputTokens;
                },
              });
            }
            // A client tool is the caller's to act on: announced (tool_call event, tool_calls), not run.
            if (runtime.clientTools.has(call.name)) return runtime.clientTools.announce(call.name);
            return runtime.toolset.execute({ name: call.name, input: call.input }, { sessionId, signal: callSignal });
          },
        },
        signal,
        emit,
        streaming: options.onEvent !== undefined,
        trace,
        metrics: deps.metrics,
        now: deps.now,
      });
      usage = totals.usage;
      const pattern = agent.spec.orchestration?.pattern ?? 'react';
      await trace.span('orchestration', { pattern }, async () => {
        try {
          await patterns[pattern]({
            messages,
            query: input.text,
            maxIterations: agent.spec.orchestration?.max_iterations ?? 10,
            steps,
            workers: [...runtime.agentTools.keys()],
            handoffs: { made: chain.handoffs, max: agent.spec.orchestration?.max_handoffs ?? 3 },
            glyph: {
              narrate: agent.spec.orchestration?.narrate ?? true,
              maxRepairs: agent.spec.orchestration?.max_repairs ?? 2,
              program: agent.spec.program,
              context: request.context ?? {},
              builtinTools: [
                ...(agent.spec.tools ?? []).flatMap((tool) => (tool.type === 'builtin' ? [tool.name] : [])),
                // The bundle's tools answer in upstream's result envelope too.
                ...(runtime.bundle ? bundleTools.map((tool) => tool.name) : []),
              ],
            },
          });
        } catch (err) {
          if (stopOutput.signal.aborted) return;
          if (timeout.aborted) throw new OrchestrationTimeout(timeoutSeconds);
          throw err;
        }
      });
      await trace.span('guardrails.output', { rules: runtime.guardrails.output.length }, async () =>
        send(output.finish()),
      );
      await trace.span('memory.persist', { session_id: sessionId }, () =>
        runtime.memory.remember(
          name,
          sessionId,
          [
            { role: 'user', content: chain.rememberAs ?? input.text },
            { role: 'assistant', content: response },
          ],
          options.signal,
        ),
      );
      if (runtime.rag.semantic) {
        await trace.span('memory.semantic.persist', { session_id: sessionId }, () =>
          rememberTurn(
            runtime.rag,
            { sessionId, query: input.text, answer: response, at: new Date(deps.now()) },
            deps.log.child({ agent: name }),
          ),
        );
      }

      const totalMs = deps.now() - startedAt;
      deps.metrics.observe('agent.latency_ms', totalMs);
      trace.root.setAttributes({ input_tokens: totals.usage.inputTokens, output_tokens: totals.usage.outputTokens });
      trace.end();
      return {
        response,
        session_id: sessionId,
        tool_calls: totals.toolCalls,
        usage: {
          input_tokens: totals.usage.inputTokens,
          output_tokens: totals.usage.outputTokens,
          total_tokens: totals.usage.inputTokens + totals.usage.outputTokens,
        },
        timing: {
          total_ms: Math.round(totalMs),
          model_ms: Math.round(totals.modelMs),
          tool_ms: Math.round(totals.toolMs),
        },
        model: totals.model ?? null,
        provider: totals.provider ?? null,
        trace_id: trace.traceId,
        // The document this run started with: across a reload or a rollout, the one that answered.
        agent_version: agent.metadata.version ?? null,
        // spec.output_schema: the answer stays as written; its JSON block comes beside it, as upstream.
        ...(runtime.outputSchema ? structuredOutputOf(response, runtime.outputSchema) : {}),
      };
    } catch (err) {
      deps.metrics.increment('agent.errors');
      trace.end(err);
      throw err;
    } finally {
      deadline.clear();
      activeRuns--;
      if (usage) options.chargeUsage?.({ ...usage });
    }
  }

  return {
    onCatalogChange,
    run,
    /** The agent's document, or a 404/503 explaining why there is none. */
    agent(name: string): AgentDocument {
      return runtimeOf(name).document;
    },
    async history(name: string, sessionId: string): Promise<StoredTurn[]> {
      return runtimeOf(name).memory.history(name, sessionId);
    },
    async clearHistory(name: string, sessionId: string): Promise<boolean> {
      return runtimeOf(name).memory.clear(name, sessionId);
    },
    /** GET /v1/memory/{agent}/semantic: across the agent's sessions; none for an agent without memory.semantic. */
    async searchSemanticMemory(name: string, query: string, topK: number, signal?: AbortSignal): Promise<RagResult[]> {
      const semantic = runtimeOf(name).rag.semantic;
      return semantic ? semantic.memory.search(query, { topK, signal }) : [];
    },
    isLoaded: (name: string) => runtimes.has(name),
    /** GET /v1/tools: each agent's MCP servers, connected if they were not, with their tools. */
    async mcpServers(signal: AbortSignal) {
      return Promise.all(
        [...runtimes.entries()]
          .filter(([, runtime]) => runtime.mcp.any)
          .map(async ([agent, runtime]) => ({
            agent,
            servers: (await runtime.mcp.status(signal)).map((server) => ({
              ...server,
              tools: server.tools.filter((tool) => runtime.isPermitted(tool.name)),
            })),
          })),
      );
    },
    /** Ends every MCP connection and stops every stdio server (shutdown). */
    async close(): Promise<void> {
      await Promise.all([...runtimes.values()].map((runtime) => runtime.mcp.close()));
    },
    activeRuns: () => activeRuns,
  };
}
export type AgentEngine = ReturnType<typeof createAgentEngine>;
