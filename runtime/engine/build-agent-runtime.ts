import type { Logger } from 'pino';
import type { AgentDocument, GuardrailSpec } from '../config/agent-schema.ts';
import type { CredentialsLookup } from '../config/credentials-lookup.ts';
import { AgentConfigError } from '../config/load-agent-file.ts';
import { createSafeTemplateEngine, type Template } from '../config/safe-template-engine.ts';
import { loadOkfBundle, OkfBundleLoadError, type OkfBundleRoots } from '../knowledge/load-okf-bundle.ts';
import type { OkfBundle } from '../knowledge/okf-bundle.ts';
import { chooseConversationStore } from '../memory/choose-conversation-store.ts';
import { type ConversationMemory, createConversationMemory } from '../memory/create-conversation-memory.ts';
import type { ConversationStores } from '../memory/create-conversation-stores.ts';
import type { MetricsRegistry } from '../observability/metrics-registry.ts';
import { type AgentRag, agentRagOf } from '../rag/agent-rag.ts';
import type { RagService } from '../rag/create-rag-service.ts';
import type { BreakerRegistry } from '../router/circuit-breaker.ts';
import type { LatencyTracker } from '../router/latency-tracker.ts';
import { createModelRouter, type RetryPolicy } from '../router/model-router.ts';
import type { ModelRouter, ToolDefinition } from '../router/model-types.ts';
import { createCandidateClient } from '../router/providers/create-candidate-client.ts';
import { agentAndClientToolDefinitions } from '../tools/agent-and-client-tool-definitions.ts';
import { bundleTools } from '../tools/bundle-tools.ts';
import { createAgentToolset } from '../tools/create-agent-toolset.ts';
import { type ClientTools, createClientTools } from '../tools/create-client-tools.ts';
import { createMcpTools, type McpTools } from '../tools/mcp/create-mcp-tools.ts';
import { ToolConfigError } from '../tools/tool-types.ts';
import { toolPermission } from './permitted-tools.ts';
import { normalizeOutputSchema, type OutputSchema, outputSchemaInstruction } from './structured-output.ts';

export interface SharedRuntimeDeps {
  credentials: CredentialsLookup;
  /** Conversation stores by backend; `postgres` exists only when the runtime was given --memory. */
  conversations: ConversationStores;
  breakers: BreakerRegistry;
  latency: LatencyTracker;
  metrics: MetricsRegistry;
  log: Logger;
  now: () => number;
  modelRetry?: RetryPolicy;
  modelTimeoutMs?: number;
  /** RAG pipelines and semantic memory; without it, knowledge and memory.semantic find nothing. */
  rag?: RagService;
  /** Where knowledge.bundle directories may be; without it an agent with a bundle is refused. */
  bundleRoots?: OkfBundleRoots;
}

/** Everything one loaded agent needs to run, built once per version of its file. */
export interface AgentRuntime {
  document: AgentDocument;
  router: ModelRouter;
  toolset: ReturnType<typeof createAgentToolset>;
  /** Every tool the model may call, built-in, agent and client, in the order of `tools[]`. */
  toolDefinitions: ToolDefinition[];
  /** The agent each tool of type agent runs, by tool name. */
  agentTools: Map<string, string>;
  /** The tools of type client: announced to the caller, never run here. */
  clientTools: ClientTools;
  /**
   * The agent's MCP servers (tools of type mcp). Their tools are discovered when a run needs them,
   * so they are not in toolDefinitions; isPermitted tells which of them spec.permissions allows.
   */
  mcp: McpTools;
  /** Whether spec.permissions lets the model be offered and call this tool. */
  isPermitted: (toolName: string) => boolean;
  memory: ConversationMemory;
  systemPrompt: Template[] | undefined;
  /** prompts.context (upstream's per-turn context), parsed. */
  contextPrompt: Template[] | undefined;
  /** Whether the system prompt renders the history itself through {{ memory }}. */
  promptRendersMemory: boolean;
  /** The agent's knowledge pipeline and semantic memory. */
  rag: AgentRag;
  /** Whether the system prompt places the retrieved chunks itself through {{ knowledge }}. */
  promptRendersKnowledge: boolean;
  /** The agent's knowledge bundle (knowledge.bundle), checked when the agent loaded. */
  bundle: OkfBundle | undefined;
  /** spec.output_schema, in full JSON Schema form: the system prompt asks for it, the result carries it. */
  outputSchema: OutputSchema | undefined;
  guardrails: { input: GuardrailSpec[]; output: GuardrailSpec[] };
}

const templates = createSafeTemplateEngine();

const summaryInstruction =
  'Summarise this conversation for your own later use: keep facts, names, numbers, decisions and open questions. ' +
  'Write plain prose, at most 200 words.';

export function buildAgentRuntime(document: AgentDocument, deps: SharedRuntimeDeps): AgentRuntime {
  const name = document.metadata.name;
  const log = deps.log.child({ agent: name });
  const router = createModelRouter({
    spec: document.spec.model,
    clientFor: (block) => createCandidateClient({ block, credentials: deps.credentials }),
    breakers: deps.breakers,
    latency: deps.latency,
    now: deps.now,
    retry: deps.modelRetry,
    defaultTimeoutMs: deps.modelTimeoutMs,
    onAttempt: (attempt) => {
      deps.metrics.observe('llm.latency_ms', attempt.durationMs);
      if (attempt.outcome === 'failure') {
        deps.metrics.increment('llm.failures');
        log.warn({ candidate: attempt.candidate, role: attempt.role, error: attempt.error }, 'model call failed');
      }
    },
  });
  const rag = agentRagOf(document, deps.rag);
  const bundle = bundleOf(document, deps);
  const toolset = createToolsetOf(document, deps, log, rag, bundle);
  const memoryConfig = document.spec.memory?.conversational ?? {};
  const store = chooseConversationStore(memoryConfig, {
    stores: deps.conversations,
    credentials: deps.credentials,
  });
  const memory = createConversationMemory({
    store,
    config: memoryConfig,
    summarize: async ({ previousSummary, turns }, signal) => {
      const transcript = turns.map((turn) => `${turn.role}: ${turn.content}`).join('\n');
      const response = await router.generate(
        {
          role: 'summarizer',
          messages: [
            { role: 'system', content: summaryInstruction },
            {
              role: 'user',
              content: `${previousSummary ? `Summary so far:\n${previousSummary}\n\n` : ''}Conversation:\n${transcript}`,
            },
          ],
        },
        signal,
      );
      return response.text;
    },
    onSummaryFailed: (err, { session }) =>
      log.warn({ err, session }, 'summarising the conversation failed; the next turn tries again'),
  });
  const systemSource = document.spec.prompts?.system;
  const specs = document.spec.tools ?? [];
  const otherDefinitions = agentAndClientToolDefinitions(specs);
  const builtinDefinitions = new Map(toolset.definitions.map((definition) => [definition.name, definition]));
  const definitions = [
    ...specs.flatMap((spec) => {
      const definition = otherDefinitions.get(spec.name) ?? builtinDefinitions.get(spec.name);
      return definition ? [definition] : [];
    }),
    // The bundle's tools come after the agent's own, as upstream registers them.
    ...(bundle ? toolset.definitions.filter((definition) => bundleToolNames.has(definition.name)) : []),
  ];
  // spec.permissions: the model is offered only the permitted tools, and a call to another one
  // (a name it guessed) is refused, as upstream refuses it, whatever kind of tool it names.
  // A discovered MCP tool's name is only known at run time, so the patterns are matched per name.
  const permission = toolPermission(document.spec.permissions);
  const isPermitted = (toolName: string) => permission?.(toolName) ?? true;
  const permittedSpecs = specs.filter((spec) => isPermitted(spec.name));
  return {
    document,
    router,
    toolset: {
      definitions: toolset.definitions.filter((definition) => isPermitted(definition.name)),
      execute: (call, options) =>
        isPermitted(call.name)
          ? toolset.execute(call, options)
          : Promise.resolve({
              success: false,
              error: { code: 'refused', message: `tool '${call.name}' is not allowed by spec.permissions` },
            }),
    },
    toolDefinitions: definitions.filter((definition) => isPermitted(definition.name)),
    agentTools: new Map(
      permittedSpecs.flatMap((spec) => (spec.type === 'agent' && spec.agent ? [[spec.name, spec.agent]] : [])),
    ),
    clientTools: createClientTools({ agent: name, specs: permittedSpecs }),
    mcp: createMcpTools({
      agent: name,
      specs,
      credentials: deps.credentials,
      log,
      takenNames: new Set(definitions.map((definition) => definition.name)),
      now: deps.now,
    }),
    isPermitted,
    memory,
    systemPrompt: systemSource === undefined ? undefined : templates.parse(systemSource),
    contextPrompt:
      document.spec.prompts?.context === undefined ? undefined : templates.parse(document.spec.prompts.context),
    promptRendersMemory: systemSource !== undefined && /\{\{-?\s*memory\b/.test(systemSource),
    rag,
    promptRendersKnowledge: systemSource !== undefined && /\{\{-?\s*knowledge\b/.test(systemSource),
    bundle,
    outputSchema: document.spec.output_schema ? normalizeOutputSchema(document.spec.output_schema) : undefined,
    guardrails: { input: document.spec.guardrails?.input ?? [], output: document.spec.guardrails?.output ?? [] },
  };
}

/** The agent's tools; a config its tool refuses is reported against the agent's `tools[]` entry. */
function createToolsetOf(
  document: AgentDocument,
  deps: SharedRuntimeDeps,
  log: Logger,
  rag: AgentRag,
  bundle: OkfBundle | undefined,
) {
  const specs = document.spec.tools ?? [];
  try {
    return createAgentToolset({
      agent: document.metadata.name,
      specs,
      credentials: deps.credentials,
      log,
      knowledge: rag.knowledge,
      bundle,
    });
  } catch (err) {
    if (!(err instanceof ToolConfigError)) throw err;
    const index = specs.findIndex((spec) => spec.name === err.tool);
    throw new AgentConfigError([{ path: ['spec', 'tools', index], message: err.message }]);
  }
}

const bundleToolNames = new Set(bundleTools.map((tool) => tool.name));

/**
 * The agent's knowledge.bundle, loaded and checked; a bundle that is missing, outside the agents or
 * data directory, or malformed refuses the agent naming the field. (A tools[] entry that takes one
 * of the bundle tools' names is refused by createAgentChecks, as upstream refuses it.)
 */
function bundleOf(document: AgentDocument, deps: SharedRuntimeDeps): OkfBundle | undefined {
  const raw = document.spec.knowledge?.bundle;
  if (raw === undefined) return undefined;
  const field = ['spec', 'knowledge', 'bundle'];
  if (!deps.bundleRoots)
    throw new AgentConfigError([{ path: field, message: 'this runtime serves no knowledge bundles' }]);
  try {
    return loadOkfBundle(raw, deps.bundleRoots, () => new Date(deps.now()));
  } catch (err) {
    if (!(err instanceof OkfBundleLoadError)) throw err;
    throw new AgentConfigError([{ path: field, message: err.message }]);
  }
}

export async function renderSystemPrompt(
  runtime: AgentRuntime,
  variables: { memory: string; context: Record<string, unknown>; knowledge?: string },
): Promise<string | undefined> {
  // Upstream appends the output_schema instruction to the rendered system prompt.
  const instruction = runtime.outputSchema ? outputSchemaInstruction(runtime.outputSchema) : '';
  if (!runtime.systemPrompt) return instruction === '' ? undefined : instruction.trimStart();
  const rendered = await templates.render(runtime.systemPrompt, await promptVariables(runtime, variables));
  return `${rendered}${instruction}`;
}

/** prompts.context rendered with the system prompt's variables and trimmed, as upstream; '' without one. */
export async function renderTurnContext(
  runtime: AgentRuntime,
  variables: { memory: string; context: Record<string, unknown>; knowledge?: string },
): Promise<string> {
  if (!runtime.contextPrompt) return '';
  return (await templates.render(runtime.contextPrompt, await promptVariables(runtime, variables))).trim();
}

async function promptVariables(
  runtime: AgentRuntime,
  variables: { memory: string; context: Record<string, unknown>; knowledge?: string },
): Promise<Record<string, unknown>> {
  // Callers' context may not shadow what the runtime provides, nor reach private keys.
  const context = Object.fromEntries(Object.entries(variables.context).filter(([key]) => !key.startsWith('_')));
  return {
    ...context,
    memory: variables.memory,
    knowledge: variables.knowledge ?? '',
    bundle_index: await bundleIndexOf(runtime),
  };
}

/** The bundle's root index for {{ bundle_index }}, read at each run; like retrieval, it never fails a run. */
async function bundleIndexOf(runtime: AgentRuntime): Promise<string> {
  if (!runtime.bundle) return '';
  try {
    return await runtime.bundle.index('/');
  } catch {
    return '';
  }
}
