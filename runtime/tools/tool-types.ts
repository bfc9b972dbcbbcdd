import type { Logger } from 'pino';
import type { z } from 'zod';
import type { CredentialsLookup } from '../config/credentials-lookup.ts';

export interface ToolContext {
  /** Runtime agent id, e.g. `acme__support-bot`. */
  agent: string;
  sessionId: string | undefined;
  /** The agent's `tools[].config` for this tool (allowed_paths, allow_localhost, timeout_seconds…). */
  config: Record<string, unknown>;
  credentials: CredentialsLookup;
  signal: AbortSignal;
  log: Logger;
}

/** A built-in tool: a name, a zod input schema (the model sees its JSON Schema) and `run`. */
export interface Tool<Input = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<Input>;
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
