import type { Logger } from 'pino';
import type { ToolSpec } from '../../config/agent-schema.ts';
import type { CredentialsLookup } from '../../config/credentials-lookup.ts';
import { createDeadline } from '../../create-deadline.ts';
import type { ToolDefinition } from '../../router/model-types.ts';
import { raceSignal } from '../race-signal.ts';
import { createRateLimiter, type RateLimiter } from '../rate-limiter.ts';
import { runWithDeadline, toolFailure } from '../run-with-deadline.ts';
import { ToolError, type ToolResult } from '../tool-types.ts';
import { connectMcpServer, type McpConnection } from './connect-mcp-server.ts';
import { McpServerConfig, transportOf } from './mcp-server-config.ts';

/** One tool an MCP server offers, as the model sees it. */
export interface McpToolDefinition extends ToolDefinition {
  /** The agent's `tools[]` entry (the server) it comes from. */
  server: string;
  /** Its name on the server. */
  remoteName: string;
}

/** How one server is doing, for GET /v1/tools. */
export interface McpServerStatus {
  server: string;
  transport: 'streamable_http' | 'stdio';
  state: 'not_connected' | 'connected' | 'failed';
  /** Why the last connection or listing failed. */
  error?: string;
  tools: McpToolDefinition[];
}

export interface McpTools {
  /** Whether the agent declares any MCP server. */
  readonly any: boolean;
  /**
   * Every server's tools, connecting and listing where needed (once, then again only after the
   * server says its list changed or the connection was lost). A server that cannot be reached
   * adds no tools: the run goes on without them, and the failure is logged and shown by status().
   */
  discover(signal: AbortSignal): Promise<McpToolDefinition[]>;
  /** Runs a discovered tool on its server. Never throws. */
  execute(
    call: { name: string; input: unknown },
    tool: McpToolDefinition,
    options: { signal: AbortSignal },
  ): Promise<ToolResult>;
  status(signal: AbortSignal): Promise<McpServerStatus[]>;
  /** Closes every connection and stops every stdio server. */
  close(): Promise<void>;
}

// After a failed connection, runs do not wait on the server again for this long (doubling to a minute).
const firstRetryMs = 5_000;
const maxRetryMs = 60_000;
const maxToolsPerServer = 256;
// OpenAI's and Anthropic's rule for a tool name; the server's own name is kept for the call.
const maxToolNameLength = 64;

interface ServerState {
  spec: ToolSpec;
  config: McpServerConfig;
  connection: McpConnection | undefined;
  connecting: Promise<McpConnection> | undefined;
  tools: McpToolDefinition[] | undefined;
  listing: Promise<McpToolDefinition[]> | undefined;
  error: string | undefined;
  retryAt: number;
  retryMs: number;
}

/**
 * The MCP servers of one agent: its `tools[]` entries of type mcp, each one server whose tools
 * the model is offered as `<entry name>__<tool name>`. Connections are made when a run first
 * needs them and kept while the agent is loaded. Calls go through the same rate limit (per
 * server, from the entry's `rate_limit`), deadline (`config.timeout_seconds`) and address
 * checks (Streamable HTTP only reaches what allow_localhost / allow_private_network open) as
 * the built-in tools. `allowStdio: false` (the Cloud's runtimes) refuses stdio servers when the
 * agent loads; the agent checks say so first.
 */
export function createMcpTools(deps: {
  agent: string;
  specs: readonly ToolSpec[];
  credentials: CredentialsLookup;
  log: Logger;
  /** Names the agent's other tools take; a discovered tool of the same name is left out. */
  takenNames: ReadonlySet<string>;
  now: () => number;
  rateLimiter?: RateLimiter;
}): McpTools {
  const log = deps.log.child({ component: 'mcp', agent: deps.agent });
  const rateLimiter = deps.rateLimiter ?? createRateLimiter({ clock: () => new Date(deps.now()) });
  const servers: ServerState[] = deps.specs
    .filter((spec) => spec.type === 'mcp')
    .map((spec) => ({
      spec,
      // Checked when the agent loaded (createAgentChecks): a bad config never gets here.
      config: McpServerConfig.parse(spec.config ?? {}),
      connection: undefined,
      connecting: undefined,
      tools: undefined,
      listing: undefined,
      error: undefined,
      retryAt: 0,
      retryMs: firstRetryMs,
    }));
  // Connecting and listing are shared by every run that asks meanwhile, so they answer to the
  // server's own deadline and to close() only: one run cancelled mid-connect must not leave the
  // others without the server's tools. Each run stops waiting when its own signal aborts.
  const lifetime = new AbortController();

  function connect(server: ServerState): Promise<McpConnection> {
    if (server.connection) return Promise.resolve(server.connection);
    server.connecting ??= withDeadline(server, (signal) =>
      connectMcpServer({
        name: server.spec.name,
        config: server.config,
        credentials: deps.credentials,
        log: log.child({ server: server.spec.name }),
        signal,
        onToolsChanged: () => {
          server.tools = undefined;
        },
        onClosed: (connection) => {
          if (server.connection !== connection) return;
          server.connection = undefined;
          server.tools = undefined;
          log.info({ server: server.spec.name }, 'MCP server connection closed; the next run reconnects');
        },
      }),
    )
      .then((connection) => {
        if (lifetime.signal.aborted) {
          void connection.close();
          throw new ToolError('failed', 'the agent was unloaded');
        }
        server.connection = connection;
        return connection;
      })
      .finally(() => {
        server.connecting = undefined;
      });
    return server.connecting;
  }

  async function listTools(server: ServerState, signal: AbortSignal): Promise<McpToolDefinition[]> {
    const connection = await connect(server);
    const offered = server.config.tools === undefined ? undefined : new Set(server.config.tools);
    const found: McpToolDefinition[] = [];
    for (const tool of await connection.listTools(signal, maxToolsPerServer)) {
      if (offered && !offered.has(tool.name)) continue;
      const name = exposedName(server.spec.name, tool.name);
      if (deps.takenNames.has(name) || found.some((other) => other.name === name)) {
        log.warn({ server: server.spec.name, tool: tool.name, name }, 'MCP tool left out: its name is taken');
        continue;
      }
      found.push({
        name,
        description: (tool.description ?? tool.title ?? '').slice(0, 1024),
        inputSchema: { type: 'object', properties: {}, ...tool.inputSchema },
        server: server.spec.name,
        remoteName: tool.name,
      });
    }
    for (const name of offered ?? [])
      if (!found.some((tool) => tool.remoteName === name))
        log.warn({ server: server.spec.name, tool: name }, 'config.tools names a tool the MCP server does not offer');
    return found;
  }

  async function toolsOf(server: ServerState, signal: AbortSignal): Promise<McpToolDefinition[]> {
    if (server.tools) return server.tools;
    if (deps.now() < server.retryAt) return [];
    server.listing ??= withDeadline(server, (bounded) => listTools(server, bounded))
      .then((tools) => {
        server.tools = tools;
        server.error = undefined;
        server.retryMs = firstRetryMs;
        log.info({ server: server.spec.name, tools: tools.map((tool) => tool.name) }, 'MCP server tools discovered');
        return tools;
      })
      .catch((err: unknown) => {
        server.error = messageOf(err);
        server.retryAt = deps.now() + server.retryMs;
        server.retryMs = Math.min(server.retryMs * 2, maxRetryMs);
        void dropConnection(server);
        log.warn(
          { server: server.spec.name, error: server.error, retryInMs: server.retryAt - deps.now() },
          'MCP server unavailable; runs go on without its tools',
        );
        return [];
      })
      .finally(() => {
        server.listing = undefined;
      });
    return raceSignal(server.listing, signal);
  }

  async function dropConnection(server: ServerState): Promise<void> {
    const connection = server.connection;
    server.connection = undefined;
    await connection?.close().catch(() => {});
  }

  /** Bounded by the server's `timeout_seconds`, and ended by close(). */
  async function withDeadline<T>(server: ServerState, work: (signal: AbortSignal) => Promise<T>) {
    const seconds = server.config.timeout_seconds;
    const deadline = createDeadline(
      seconds * 1000,
      () => new ToolError('timeout', `MCP server '${server.spec.name}' did not answer within ${seconds} s`),
    );
    const bounded = AbortSignal.any([lifetime.signal, deadline.signal]);
    try {
      return await raceSignal(work(bounded), bounded);
    } finally {
      deadline.clear();
    }
  }

  return {
    any: servers.length > 0,
    async discover(signal) {
      const lists = await Promise.all(servers.map((server) => toolsOf(server, signal)));
      return lists.flat();
    },
    async execute(call, tool, options) {
      const server = servers.find((candidate) => candidate.spec.name === tool.server);
      if (!server) return toolFailure('invalid_input', `unknown tool '${call.name}'`);
      const input = call.input ?? {};
      if (typeof input !== 'object' || Array.isArray(input))
        return toolFailure('invalid_input', `invalid input for ${call.name}: must be an object`);
      const limit = server.spec.rate_limit;
      if (limit) {
        const decision = rateLimiter.tryAcquire({ agent: deps.agent, tool: server.spec.name, limit });
        if (!decision.allowed) {
          return toolFailure(
            'rate_limited',
            `the tools of MCP server '${server.spec.name}' allow ${limit.max_calls} calls per ${limit.window_seconds} s together; try again in ${decision.retryAfterSeconds} s`,
          );
        }
      }
      const callLog = log.child({ server: server.spec.name, tool: call.name });
      const startedAt = performance.now();
      const result = await runWithDeadline(
        {
          name: call.name,
          timeoutMs: server.config.timeout_seconds * 1000,
          signal: options.signal,
          log: callLog,
        },
        async (signal) => {
          const connection = await raceSignal(connect(server), signal);
          return connection.callTool(tool.remoteName, input as Record<string, unknown>, signal);
        },
      );
      const durationMs = Math.round(performance.now() - startedAt);
      if (result.success) callLog.debug({ durationMs }, 'MCP tool call finished');
      else callLog.info({ code: result.error.code, durationMs }, 'MCP tool call failed');
      return result;
    },
    async status(signal) {
      return Promise.all(
        servers.map(async (server): Promise<McpServerStatus> => {
          const tools = await toolsOf(server, signal);
          return {
            server: server.spec.name,
            transport: transportOf(server.config),
            state: server.tools ? 'connected' : server.error ? 'failed' : 'not_connected',
            ...(server.error && !server.tools ? { error: server.error } : {}),
            tools,
          };
        }),
      );
    },
    async close() {
      lifetime.abort(new ToolError('failed', 'the agent was unloaded'));
      await Promise.all(servers.map((server) => dropConnection(server)));
    },
  };
}

/** `<server>__<tool>`, in the characters and length a model provider takes. */
export function exposedName(server: string, tool: string): string {
  return `${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, maxToolNameLength);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
