import type { Logger } from 'pino';
import { z } from 'zod';
import type { ToolSpec } from '../config/agent-schema.ts';
import type { CredentialsLookup } from '../config/credentials-lookup.ts';
import type { OkfBundle } from '../knowledge/okf-bundle.ts';
import type { AgentKnowledge } from '../rag/agent-rag.ts';
import type { ToolDefinition } from '../router/model-types.ts';
import { builtinTools, toToolDefinition } from './builtin-tools.ts';
import { bundleTools } from './bundle-tools.ts';
import { defaultTimeoutSeconds } from './network-config.ts';
import { describeIssue } from './parse-tool-config.ts';
import { createRateLimiter, type RateLimit, type RateLimiter } from './rate-limiter.ts';
import { runWithDeadline, toolFailure } from './run-with-deadline.ts';
import { createToolCache } from './tool-cache.ts';
import { type Tool, type ToolCache, ToolConfigError, type ToolContext, type ToolResult } from './tool-types.ts';

/** An agent's `tools[]` entry, parsed or not; `type` defaults to builtin as in the schema. */
export type AgentToolSpec = z.input<typeof ToolSpec>;

export interface AgentToolset {
  /** What the model is told it may call, in the order of the agent's `tools[]`. */
  definitions: ToolDefinition[];
  /** Runs one call. Never throws: every failure, cancellation included, is a `success: false` result. */
  execute(
    call: { name: string; input: unknown },
    options: { sessionId?: string; signal: AbortSignal },
  ): Promise<ToolResult>;
}

// Every tool honours timeout_seconds, whatever else its config holds.
const TimeoutConfig = z.object({ timeout_seconds: z.number().positive().max(600).default(defaultTimeoutSeconds) });

interface Entry {
  tool: Tool;
  config: Record<string, unknown>;
  rateLimit: RateLimit | undefined;
  timeoutMs: number;
}

/**
 * The built-in tools of one agent, from its `tools[]` entries of type builtin (the engine handles
 * agent and client tools). A spec the runtime cannot honour (unknown name, duplicate, bad config)
 * throws ToolConfigError here, when the agent loads, rather than at the model's first call.
 * Create it once per loaded agent: its cache and rate limits live as long as it does, unless the
 * caller passes longer-lived ones.
 */
export function createAgentToolset(deps: {
  agent: string;
  specs: readonly AgentToolSpec[];
  credentials: CredentialsLookup;
  log: Logger;
  clock?: () => Date;
  rateLimiter?: RateLimiter;
  cache?: ToolCache;
  /** The agent's knowledge pipeline, which rag_query and rag_ingest search and fill. */
  knowledge?: AgentKnowledge;
  /** The agent's knowledge bundle: with one, kb_index, kb_read and kb_find join its tools unlisted. */
  bundle?: OkfBundle;
  /** The tools a spec may name; the built-in tools unless a test brings its own. */
  tools?: readonly Tool[];
}): AgentToolset {
  const clock = deps.clock ?? (() => new Date());
  const rateLimiter = deps.rateLimiter ?? createRateLimiter({ clock });
  const cache = deps.cache ?? createToolCache({ clock });
  const log = deps.log.child({ component: 'tools', agent: deps.agent });
  const available = new Map((deps.tools ?? builtinTools).map((tool) => [tool.name, tool]));
  const entries = new Map<string, Entry>();
  const definitions: ToolDefinition[] = [];

  for (const spec of deps.specs) {
    if ((spec.type ?? 'builtin') !== 'builtin') continue;
    const entry = entryFor(spec, available, entries);
    entries.set(spec.name, entry);
    definitions.push(toToolDefinition(entry.tool, spec.description));
  }
  if (deps.bundle) {
    for (const tool of bundleTools) {
      entries.set(tool.name, { tool, config: {}, rateLimit: undefined, timeoutMs: defaultTimeoutSeconds * 1000 });
      definitions.push(toToolDefinition(tool));
    }
  }

  async function execute(
    call: { name: string; input: unknown },
    options: { sessionId?: string; signal: AbortSignal },
  ): Promise<ToolResult> {
    const entry = entries.get(call.name);
    if (!entry) {
      const names = [...entries.keys()].join(', ') || 'none';
      return toolFailure('invalid_input', `unknown tool '${call.name}'; this agent's tools are: ${names}`);
    }
    const parsed = entry.tool.inputSchema.safeParse(call.input ?? {});
    if (!parsed.success) {
      return toolFailure('invalid_input', `invalid input for ${call.name}: ${describeIssue(parsed.error.issues[0])}`);
    }
    if (entry.rateLimit) {
      const decision = rateLimiter.tryAcquire({ agent: deps.agent, tool: call.name, limit: entry.rateLimit });
      if (!decision.allowed) {
        const { max_calls, window_seconds } = entry.rateLimit;
        return toolFailure(
          'rate_limited',
          `${call.name} allows ${max_calls} calls per ${window_seconds} s; try again in ${decision.retryAfterSeconds} s`,
        );
      }
    }
    const startedAt = performance.now();
    const toolLog = log.child({ tool: call.name });
    const context: Omit<ToolContext, 'signal'> = {
      agent: deps.agent,
      sessionId: options.sessionId,
      config: entry.config,
      credentials: deps.credentials,
      log: toolLog,
      clock,
      cache,
      knowledge: deps.knowledge,
      bundle: deps.bundle,
    };
    const result = await runWithDeadline(
      { name: entry.tool.name, timeoutMs: entry.timeoutMs, signal: options.signal, log: toolLog },
      (signal) => entry.tool.run(parsed.data, { ...context, signal }),
    );
    const durationMs = Math.round(performance.now() - startedAt);
    if (result.success) log.debug({ tool: call.name, durationMs }, 'tool call finished');
    else log.info({ tool: call.name, code: result.error.code, durationMs }, 'tool call failed');
    return result;
  }

  return { definitions, execute };
}

function entryFor(spec: AgentToolSpec, available: Map<string, Tool>, entries: Map<string, Entry>): Entry {
  const tool = available.get(spec.name);
  if (!tool) {
    throw new ToolConfigError(
      spec.name,
      `not a built-in tool; the built-in tools are ${[...available.keys()].join(', ')}`,
    );
  }
  if (entries.has(spec.name)) throw new ToolConfigError(spec.name, 'listed more than once');
  const config = spec.config ?? {};
  for (const schema of [TimeoutConfig, tool.configSchema]) {
    const checked = schema?.safeParse(config);
    if (checked && !checked.success)
      throw new ToolConfigError(spec.name, `config.${describeIssue(checked.error.issues[0])}`);
  }
  return {
    tool,
    config,
    // A document built in code (not parsed) may leave them out: upstream's defaults, as the schema's.
    rateLimit: spec.rate_limit && {
      window_seconds: spec.rate_limit.window_seconds ?? 60,
      max_calls: spec.rate_limit.max_calls ?? 10,
    },
    timeoutMs: TimeoutConfig.parse(config).timeout_seconds * 1000,
  };
}
