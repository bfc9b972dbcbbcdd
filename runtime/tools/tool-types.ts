import type { Logger } from 'pino';
import type { z } from 'zod';
import type { CredentialsLookup } from '../config/credentials-lookup.ts';
import type { OkfBundle } from '../knowledge/okf-bundle.ts';
import type { AgentKnowledge } from '../rag/agent-rag.ts';

export interface ToolContext {
  /** Runtime agent id, e.g. `acme__support-bot`. */
  agent: string;
  sessionId: string | undefined;
  /** The agent's `tools[].config` for this tool (allowed_paths, allow_localhost, timeout_seconds…). */
  config: Record<string, unknown>;
  credentials: CredentialsLookup;
  signal: AbortSignal;
  log: Logger;
  /** Current time. Optional so contexts built before it existed still compile; tools fall back to the system clock. */
  clock?: () => Date;
  /** The agent's cache_store entries, owned by its toolset so agents never see each other's keys. */
  cache?: ToolCache;
  /** The agent's knowledge pipeline, for rag_query and rag_ingest; unset outside an agent. */
  knowledge?: AgentKnowledge;
  /** The agent's knowledge bundle, for kb_index, kb_read and kb_find; unset without knowledge.bundle. */
  bundle?: OkfBundle;
}

/** A bounded key-value store per agent; values are JSON. `ttlSeconds` expires an entry that long after it was set. */
export interface ToolCache {
  get(key: string): { found: true; value: unknown } | { found: false };
  set(key: string, value: unknown, options?: { ttlSeconds?: number }): void;
  /** False when there was no such key. */
  delete(key: string): boolean;
}

/** A built-in tool: a name, a zod input schema (the model sees its JSON Schema) and `run`. */
export interface Tool<Input = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<Input>;
  /**
   * The tool's `tools[].config` settings. The toolset checks a spec's config against it when the
   * agent loads, so a typo'd or mistyped setting fails then, not at the model's first call.
   */
  configSchema?: z.ZodType;
  run(input: Input, context: ToolContext): Promise<unknown>;
}

export type ToolErrorCode = 'invalid_input' | 'refused' | 'not_configured' | 'rate_limited' | 'timeout' | 'failed';

/**
 * A tool failure the model (and the caller) should see as a result, not as a crashed run:
 * the agent reads the error and still answers.
 */
export class ToolError extends Error {
  override name = 'ToolError';
  readonly code: ToolErrorCode;

  constructor(code: ToolErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.code = code;
  }
}

/** What running a tool gives back to the orchestration loop; failures are data. */
export type ToolResult =
  | { success: true; data: unknown }
  | { success: false; error: { code: ToolErrorCode; message: string } };

/** A `tools[]` entry the runtime cannot honour (unknown builtin, bad config): the agent file must change. */
export class ToolConfigError extends Error {
  override name = 'ToolConfigError';
  readonly tool: string;

  constructor(tool: string, message: string) {
    super(`tool '${tool}': ${message}`);
    this.tool = tool;
  }
}
