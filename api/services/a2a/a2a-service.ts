import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { AgentName } from '../../../crds/cloud-agent.ts';
import type { Database } from '../../db/database.ts';
import { AppError, NotFound } from '../../errors.ts';
import { JsonRpcFailure, jsonRpcCodes, toJsonRpcErrorBody } from '../../http/a2a-error-shape.ts';
import { toErrorBody } from '../../http/error-envelope.ts';
import type { OrgAccess } from '../../http/principal.ts';
import type { A2aAgentCard, JsonRpcId, SendMessageParams } from '../../schemas/a2a.ts';
import { SendMessageParams as SendMessageParamsSchema, TaskIdParams } from '../../schemas/a2a.ts';
import { findAgent } from '../../stores/agents-store.ts';
import { AgentNotDeployed, type ExecutionAnswer, type ExecutionService } from '../execution-service.ts';
import type { RateLimit } from '../usage-service.ts';
import { type A2aReply, type A2aWireFormat, a2aV1, a2aV03 } from './a2a-wire-formats.ts';
import { buildA2aCard } from './build-a2a-card.ts';

export interface A2aCallInput {
  access: OrgAccess;
  agentName: string;
  id: JsonRpcId;
  method: string;
  params: unknown;
  /** Aborted when the caller goes away: the run is cancelled with it. */
  signal: AbortSignal;
  onRateLimit: (rateLimit: RateLimit) => void;
  /** The request's id, quoted in an internal error sent mid-stream. */
  requestId?: string;
}

/** What one JSON-RPC call answers: a JSON-RPC response, or server-sent events of JSON-RPC responses. */
export type A2aCallResult =
  | { kind: 'json'; body: unknown; sessionId: string }
  | { kind: 'events'; events: Readable; sessionId: string };

/**
 * Every deployed agent as an A2A agent (issue 16, protocol v1.0, JSON-RPC binding): its card, and
 * SendMessage / SendStreamingMessage as runs of the execution service (`run`, or `stream` in run
 * mode: counted, priced and limited like /run). The message's `contextId` is our session id.
 * No task outlives its call, so GetTask and CancelTask find none.
 */
export function createA2aService(deps: { db: Database; execution: ExecutionService; now: () => Date; log: Logger }) {
  const log = deps.log.child({ component: 'a2a-service' });

  async function cardOf(input: {
    access: OrgAccess;
    agentName: string;
    endpointUrl: string;
    origin: string;
  }): Promise<A2aAgentCard> {
    const { access, agentName } = input;
    const agent = AgentName.safeParse(agentName).success
      ? await findAgent(deps.db, { orgId: access.orgId, name: agentName })
      : undefined;
    if (!agent) throw new NotFound(`agent '${agentName}'`);
    if (agent.status !== 'deployed') throw new AgentNotDeployed(agent);
    return buildA2aCard({ agent, orgSlug: access.orgSlug, endpointUrl: input.endpointUrl, origin: input.origin });
  }

  async function call(input: A2aCallInput): Promise<A2aCallResult> {
    switch (input.method) {
      case 'SendMessage':
        return sendMessage(input, a2aV1);
      case 'SendStreamingMessage':
        return streamMessage(input, a2aV1);
      case 'message/send':
        return sendMessage(input, a2aV03);
      case 'message/stream':
        return streamMessage(input, a2aV03);
      case 'GetTask':
      case 'CancelTask':
      case 'tasks/get':
      case 'tasks/cancel': {
        const params = paramsOf(input, TaskIdParams);
        throw new JsonRpcFailure({
          id: input.id,
          rpcCode: jsonRpcCodes.taskNotFound,
          status: 404,
          code: 'not_found',
          message: `task '${params.id}' not found: this agent answers within the call and keeps no tasks`,
        });
      }
      default:
        throw new JsonRpcFailure({
          id: input.id,
          rpcCode: jsonRpcCodes.methodNotFound,
          message:
            `method: '${input.method}' is not supported (A2A v1.0: SendMessage, SendStreamingMessage, GetTask, ` +
            'CancelTask; v0.3: message/send, message/stream, tasks/get, tasks/cancel)',
          field: 'method',
        });
    }
  }

  /** The run a message asks for: its text parts, joined, are the query; its contextId the session. */
  function runRequestOf(input: A2aCallInput) {
    const params: SendMessageParams = paramsOf(input, SendMessageParamsSchema);
    const { message } = params;
    const other = message.parts.findIndex((part) => typeof part.text !== 'string');
    if (other >= 0) {
      const field = `params.message.parts[${other}]`;
      throw new JsonRpcFailure({
        id: input.id,
        rpcCode: jsonRpcCodes.invalidParams,
        message: `${field}: only text parts are supported`,
        field,
      });
    }
    const query = message.parts.map((part) => part.text ?? '').join('\n');
    if (query.trim() === '')
      throw new JsonRpcFailure({
        id: input.id,
        rpcCode: jsonRpcCodes.invalidParams,
        message: 'params.message.parts: the text must not be empty',
        field: 'params.message.parts',
      });
    const sessionId = message.contextId || `a2a-${randomUUID()}`;
    return { query, sessionId };
  }

  async function execute(input: A2aCallInput, run: () => Promise<ExecutionAnswer>): Promise<ExecutionAnswer> {
    try {
      if (!AgentName.safeParse(input.agentName).success) throw new NotFound(`agent '${input.agentName}'`);
      return await run();
    } catch (err) {
      throw asJsonRpcFailure(err, input.id);
    }
  }

  async function sendMessage(input: A2aCallInput, format: A2aWireFormat): Promise<A2aCallResult> {
    const { query, sessionId } = runRequestOf(input);
    const answer = await execute(input, () =>
      deps.execution.run({ ...input, request: { query, session_id: sessionId } }),
    );
    return {
      kind: 'json',
      sessionId,
      body: { jsonrpc: '2.0', id: input.id, result: format.sendResult(replyOf(answer)) },
    };
  }

  /**
   * The run as server-sent events, once it has something to say: a task (working), its answer as
   * artifact chunks as tokens arrive, then the task's final status with the whole answer. A run
   * refused or failed before its first token rejects (an HTTP error with a JSON-RPC body); a failure
   * after it ends the stream with the task failed.
   */
  async function streamMessage(input: A2aCallInput, format: A2aWireFormat): Promise<A2aCallResult> {
    const { query, sessionId } = runRequestOf(input);
    const taskId = randomUUID();
    const contextId = sessionId;
    const events = new PassThrough();
    input.signal.addEventListener('abort', () => events.destroy(), { once: true });
    // Once the caller is gone (the stream destroyed), what the run still says goes nowhere.
    const send = (result: unknown) =>
      !events.destroyed && events.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id: input.id, result })}\n\n`);
    const timestamp = () => deps.now().toISOString();
    let chunkCount = 0;
    const sendChunk = (text: string, isLast: boolean) =>
      send(format.artifactUpdate({ taskId, contextId, text, isAppend: chunkCount++ > 0, isLast }));

    let hasStarted = false;
    let streamedText = '';
    return new Promise((resolve, reject) => {
      const resolveOnStart = () => {
        if (hasStarted) return;
        hasStarted = true;
        send(format.task({ taskId, contextId, timestamp: timestamp() }));
        resolve({ kind: 'events', events, sessionId });
      };
      execute(input, () =>
        deps.execution.stream({
          ...input,
          request: { query, session_id: sessionId },
          mode: 'run',
          onEvent: (event) => {
            // The agent's own tool calls are its business, not the caller's.
            if (event.type !== 'token' || event.content === '') return;
            resolveOnStart();
            streamedText += event.content;
            sendChunk(event.content, false);
          },
        }),
      ).then(
        (answer) => {
          resolveOnStart();
          // A run that streamed fewer tokens than its answer (a guardrail's redaction) says the rest at once.
          const rest = answer.answer.startsWith(streamedText) ? answer.answer.slice(streamedText.length) : '';
          sendChunk(rest, true);
          const reply = { ...replyOf(answer), taskId };
          send(format.statusUpdate({ taskId, contextId, state: 'completed', reply, timestamp: timestamp() }));
          events.end();
        },
        (err: unknown) => {
          if (!hasStarted) return reject(err);
          // The status line is long gone: the task fails, saying why.
          const body = toErrorBody(err, input.requestId);
          if (body.status >= 500)
            log.error({ err, requestId: input.requestId, org: input.access.orgSlug }, 'a2a stream failed');
          const reply = { text: body.message, contextId, taskId, metadata: { error: body.error, status: body.status } };
          send(format.statusUpdate({ taskId, contextId, state: 'failed', reply, timestamp: timestamp() }));
          events.end();
        },
      );
    });
  }

  return { cardOf, call };
}
export type A2aService = ReturnType<typeof createA2aService>;

function paramsOf<T>(input: A2aCallInput, schema: z.ZodType<T>): T {
  const result = schema.safeParse(input.params ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = ['params', ...(issue?.path ?? [])]
    .map((key) => (typeof key === 'number' ? `[${key}]` : String(key)))
    .join('.')
    .replaceAll('.[', '[');
  throw new JsonRpcFailure({
    id: input.id,
    rpcCode: jsonRpcCodes.invalidParams,
    message: `${field}: ${issue?.message ?? 'invalid'}`,
    field,
  });
}

/** Our error as the JSON-RPC error of this call: same status and message, the request's id. */
function asJsonRpcFailure(err: unknown, id: JsonRpcId): unknown {
  if (err instanceof JsonRpcFailure) return err;
  const body = toErrorBody(err);
  // A 500 stays opaque: the envelope writes it (id null), and logs it.
  if (body.status >= 500 && body.error === 'internal_error') return err;
  const failure = new JsonRpcFailure({
    id,
    rpcCode: toJsonRpcErrorBody(body, err).error.code,
    status: body.status,
    code: body.error,
    message: body.message,
  });
  if (err instanceof AppError) Object.assign(failure.headers, err.headers);
  return failure;
}

function replyOf(answer: ExecutionAnswer): A2aReply {
  return {
    text: answer.answer,
    contextId: answer.sessionId,
    metadata: {
      usage: { inputTokens: answer.inputTokens, outputTokens: answer.outputTokens },
      model: answer.model,
      ...(answer.version === null ? {} : { agentVersion: answer.version }),
    },
  };
}
