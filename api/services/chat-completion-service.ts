import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { Logger } from 'pino';
import { AgentName } from '../../crds/cloud-agent.ts';
import type { Database } from '../db/database.ts';
import { AppError, NotFound } from '../errors.ts';
import { toErrorBody } from '../http/error-envelope.ts';
import { toOpenAiErrorBody } from '../http/openai-error-shape.ts';
import type { OrgAccess } from '../http/principal.ts';
import type { ChatCompletion, ChatCompletionChunk } from '../schemas/chat-completion.ts';
import type { ChatCompletionRequest } from '../schemas/chat-completion-request.ts';
import type { OpenAiModelList } from '../schemas/openai-model-list.ts';
import { listDeployedAgents } from '../stores/agents-store.ts';
import { AgentNotDeployed, type ExecutionAnswer, type ExecutionService } from './execution-service.ts';
import { runRequestOfChat } from './run-request-of-chat.ts';
import type { RateLimit } from './usage-service.ts';

/** An agent that does not exist or is not deployed, as OpenAI refuses a model it does not serve. */
export class ModelNotFound extends AppError {
  readonly field = 'model';

  constructor(model: string, orgSlug: string) {
    super('model_not_found', 404, `The model '${model}' is not a deployed agent of org '${orgSlug}'`);
  }
}

export interface ChatCompletionInput {
  access: OrgAccess;
  request: ChatCompletionRequest;
  /** Aborted when the caller goes away: the run is cancelled with it. */
  signal: AbortSignal;
  onRateLimit: (rateLimit: RateLimit) => void;
  /** The request's id, quoted in an internal error sent mid-stream. */
  requestId?: string;
  /** A stream that failed after its first chunk (its status line said 200): what it ended with. */
  onStreamFailed?: (failure: { status: number; error: string }) => void;
}

/**
 * A deployed agent as an OpenAI model (issue 16): a chat completion is a run (`run`, or `stream`
 * in run mode), counted against the daily limit, priced and audited as one; the models are the
 * org's deployed agents.
 */
export function createChatCompletionService(deps: {
  db: Database;
  execution: ExecutionService;
  now: () => Date;
  log: Logger;
}) {
  const log = deps.log.child({ component: 'chat-completion-service' });
  const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

  async function listModels(access: OrgAccess): Promise<OpenAiModelList> {
    const agents = await listDeployedAgents(deps.db, access.orgId);
    return {
      object: 'list',
      data: agents.map((agent) => ({
        id: agent.name,
        object: 'model',
        created: unixSeconds(agent.deployedAt ?? agent.createdAt),
        owned_by: access.orgSlug,
      })),
    };
  }

  /** The run of a chat completion; an unknown or undeployed agent is OpenAI's 404 model_not_found. */
  async function runOf(input: ChatCompletionInput, run: (agentName: string) => Promise<ExecutionAnswer>) {
    const { access, request } = input;
    if (!AgentName.safeParse(request.model).success) throw new ModelNotFound(request.model, access.orgSlug);
    return run(request.model).catch((err: unknown) => {
      if (err instanceof NotFound || err instanceof AgentNotDeployed)
        throw new ModelNotFound(request.model, access.orgSlug);
      throw err;
    });
  }

  async function complete(input: ChatCompletionInput): Promise<{ completion: ChatCompletion; sessionId: string }> {
    const runRequest = runRequestOfChat(input.request);
    const answer = await runOf(input, (agentName) => deps.execution.run({ ...input, agentName, request: runRequest }));
    return {
      sessionId: answer.sessionId,
      completion: {
        id: completionId(),
        object: 'chat.completion',
        created: unixSeconds(deps.now()),
        model: input.request.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: answer.answer, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: usageOf(answer),
      },
    };
  }

  /**
   * The run as OpenAI's server-sent events, once it has something to say: a run refused or failed
   * before its first token rejects (an HTTP error in OpenAI's shape, as OpenAI answers one); a
   * failure after it ends the stream with an `error` event, which the `openai` clients raise.
   */
  async function stream(input: ChatCompletionInput): Promise<{ events: Readable; sessionId: string }> {
    const runRequest = runRequestOfChat(input.request);
    const includeUsage = input.request.stream_options?.include_usage === true;
    const events = new PassThrough();
    input.signal.addEventListener('abort', () => events.destroy(), { once: true });
    const base = { id: completionId(), object: 'chat.completion.chunk' as const, created: unixSeconds(deps.now()) };
    // Once the caller is gone (the stream destroyed), what the run still says goes nowhere.
    const send = (data: unknown) => !events.destroyed && events.write(`data: ${JSON.stringify(data)}\n\n`);
    const sendChunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finishReason: 'stop' | null) =>
      send({
        ...base,
        model: input.request.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        ...(includeUsage ? { usage: null } : {}),
      } satisfies ChatCompletionChunk);

    let hasStarted = false;
    let streamedText = '';
    const start = () => {
      if (hasStarted) return;
      hasStarted = true;
      sendChunk({ role: 'assistant', content: '' }, null);
    };
    return new Promise((resolve, reject) => {
      const resolveOnStart = () => {
        if (!hasStarted) {
          start();
          resolve({ events, sessionId: runRequest.session_id });
        }
      };
      runOf(input, (agentName) =>
        deps.execution.stream({
          ...input,
          agentName,
          request: runRequest,
          mode: 'run',
          onEvent: (event) => {
            // The agent's own tool calls are its business, not the caller's (who sent no tools).
            if (event.type !== 'token' || event.content === '') return;
            resolveOnStart();
            streamedText += event.content;
            sendChunk({ content: event.content }, null);
          },
        }),
      ).then(
        (answer) => {
          resolveOnStart();
          // A run that streamed no tokens (or fewer than its answer: a guardrail's redaction) says the rest at once.
          const rest = answer.answer.startsWith(streamedText) ? answer.answer.slice(streamedText.length) : '';
          if (rest) sendChunk({ content: rest }, null);
          sendChunk({}, 'stop');
          if (includeUsage) send({ ...base, model: input.request.model, choices: [], usage: usageOf(answer) });
          events.end('data: [DONE]\n\n');
        },
        (err: unknown) => {
          if (!hasStarted) return reject(err);
          // The status line is long gone: the error goes out as the stream's last event.
          const body = toErrorBody(err, input.requestId);
          input.onStreamFailed?.({ status: body.status, error: body.error });
          if (body.status >= 500)
            log.error({ err, requestId: input.requestId, org: input.access.orgSlug }, 'chat completion stream failed');
          send(toOpenAiErrorBody(body, err));
          events.end();
        },
      );
    });
  }

  return { listModels, complete, stream };
}
export type ChatCompletionService = ReturnType<typeof createChatCompletionService>;

const completionId = () => `chatcmpl-${randomUUID().replaceAll('-', '')}`;

const usageOf = (answer: ExecutionAnswer): ChatCompletion['usage'] => ({
  prompt_tokens: answer.inputTokens,
  completion_tokens: answer.outputTokens,
  total_tokens: answer.inputTokens + answer.outputTokens,
});
