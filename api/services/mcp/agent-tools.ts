import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AgentName } from '../../../crds/cloud-agent.ts';
import { RunRequest } from '../../../runtime/engine/run-request.ts';
import type { Database } from '../../db/database.ts';
import { AppError, NotFound } from '../../errors.ts';
import type { OrgAccess } from '../../http/principal.ts';
import { runAgentAnswerOf } from '../../routes/run-agent-answer-of.ts';
import { RunAgentAnswer } from '../../schemas/run-agent-answer.ts';
import { type AgentRecord, listDeployedAgents } from '../../stores/agents-store.ts';
import { AgentNotDeployed, type ExecutionService } from '../execution-service.ts';
import type { RateLimit } from '../usage-service.ts';

/** An MCP tool as tools/list describes it (the MCP `Tool` type, the fields we fill). */
export interface AgentTool {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
  outputSchema: { type: 'object'; [key: string]: unknown };
}

/** What tools/call answers: the MCP `CallToolResult`. */
export interface AgentToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

/** A tool name that is no deployed agent of the org: MCP's "unknown tool", a protocol error. */
export class UnknownAgentTool extends Error {
  constructor(name: string, orgSlug: string) {
    super(`Unknown tool '${name}': it is not a deployed agent of org '${orgSlug}'`);
  }
}

// One schema per contract: a tool's arguments are the body of …/run, its structured result the answer of …/run.
const inputSchema = jsonSchemaOf(RunRequest);
const outputSchema = jsonSchemaOf(RunAgentAnswer);
const maxPromptSummaryLength = 300;

/**
 * Issue 16, item 2b: an org's deployed agents as MCP tools. A call is a run (`execution.run`), so it
 * counts against the daily limit, budgets and usage like POST …/run; the route's audit entry is
 * `mcp.call`. Refusals and failures of the run are tool errors (`isError`), which an MCP client
 * hands to its model; a name that is no deployed agent is thrown as UnknownAgentTool.
 */
export function createAgentTools(deps: { db: Database; execution: ExecutionService; log: Logger }) {
  const log = deps.log.child({ component: 'mcp-agent-tools' });

  async function list(access: OrgAccess, requestId?: string): Promise<AgentTool[]> {
    const agents = await listDeployedAgents(deps.db, access.orgId).catch((err: unknown) => {
      // The SDK would answer with the error's own message (a database's, say): logged, not told.
      log.error({ err, org: access.orgSlug, requestId }, 'mcp tools/list failed');
      throw new McpError(ErrorCode.InternalError, `Internal error (request ${requestId ?? 'unknown'})`);
    });
    return agents.map((agent) => ({
      name: agent.name,
      title: agent.displayName,
      description: descriptionOf(agent),
      inputSchema,
      outputSchema,
    }));
  }

  async function call(input: {
    access: OrgAccess;
    name: string;
    args: unknown;
    signal: AbortSignal;
    onRateLimit: (rateLimit: RateLimit) => void;
    requestId?: string;
  }): Promise<AgentToolResult> {
    const { access, name } = input;
    if (!AgentName.safeParse(name).success) throw new UnknownAgentTool(name, access.orgSlug);
    // Arguments a model got wrong are a tool error it can read and correct (MCP 2025-11-25, "Error Handling").
    const request = RunRequest.safeParse(input.args ?? {});
    if (!request.success) {
      const issue = request.error.issues[0];
      return toolError('invalid_arguments', 400, `${issue?.path.join('.') || 'arguments'}: ${issue?.message}`);
    }
    try {
      const answer = runAgentAnswerOf(
        await deps.execution.run({
          access,
          agentName: name,
          request: request.data,
          signal: input.signal,
          onRateLimit: input.onRateLimit,
        }),
      );
      return { content: [{ type: 'text', text: answer.answer }], structuredContent: answer };
    } catch (err) {
      if (err instanceof NotFound || err instanceof AgentNotDeployed) throw new UnknownAgentTool(name, access.orgSlug);
      // A refusal (429 daily limit, budget_exceeded...) or a run that failed (408, 502, 503): the caller's to read.
      if (err instanceof AppError) return toolError(err.code, err.status, err.message);
      // Anything else is ours: logged in full, answered without its details.
      log.error({ err, org: access.orgSlug, agent: name, requestId: input.requestId }, 'mcp tool call failed');
      return toolError('internal_error', 500, `Internal error (request ${input.requestId ?? 'unknown'})`);
    }
  }

  return { list, call };
}
export type AgentTools = ReturnType<typeof createAgentTools>;

/** The error code and status are in `_meta` for programs; the text says both for a model. */
function toolError(code: string, status: number, message: string): AgentToolResult {
  return {
    content: [{ type: 'text', text: `${code}: ${message}` }],
    isError: true,
    _meta: { 'astromesh/error': { code, status } },
  };
}

/** Display name, persona and the start of the system prompt: what the agent is for, for a caller's model to choose it. */
function descriptionOf(agent: AgentRecord): string {
  const { persona, system_prompt: systemPrompt } = agent.config.step2;
  const prompt = systemPrompt.replace(/\s+/g, ' ').trim();
  const summary = prompt.length > maxPromptSummaryLength ? `${prompt.slice(0, maxPromptSummaryLength - 1)}…` : prompt;
  return [agent.displayName + (persona ? ` (${persona})` : ''), summary].filter(Boolean).join(': ');
}

function jsonSchemaOf(schema: z.ZodType): { type: 'object'; [key: string]: unknown } {
  // No `$schema`: MCP clients validate with their own JSON Schema dialect.
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return { ...json, type: 'object' };
}
