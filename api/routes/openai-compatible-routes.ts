import type { Readable } from 'node:stream';
import { z } from 'zod';
import { abortOnClientGone } from '../http/abort-on-client-gone.ts';
import { orgRoute } from '../http/api-route.ts';
import { noteAudit } from '../http/audit-requests.ts';
import { openAiBasePath } from '../http/openai-error-shape.ts';
import { ChatCompletion } from '../schemas/chat-completion.ts';
import { ChatCompletionRequest } from '../schemas/chat-completion-request.ts';
import { OpenAiModelList } from '../schemas/openai-model-list.ts';
import type { ChatCompletionService } from '../services/chat-completion-service.ts';
import { rateLimitHeaders } from '../services/usage-service.ts';

const OrgParams = z.object({ slug: z.string() });

const baseUrlNote =
  `Part of the org's OpenAI-compatible base URL \`/api/v1${openAiBasePath}\`: an \`openai\` client given that ` +
  'base URL and an API key (sent as `Authorization: Bearer ask-…`) or an access token calls the org’s deployed ' +
  'agents as models. Errors under that base URL are in OpenAI’s shape (`OpenAIError`).';

/** Issue 16: every deployed agent of an org answers the `openai` clients as a model. */
export function openAiCompatibleRoutes(chat: ChatCompletionService) {
  return [
    orgRoute({
      method: 'get',
      path: `${openAiBasePath}/models`,
      summary: "The org's deployed agents, as OpenAI lists models",
      description: baseUrlNote,
      tag: 'OpenAI-compatible',
      errorShape: 'openai',
      params: OrgParams,
      response: OpenAiModelList,
      handle: ({ access }) => chat.listModels(access),
    }),
    orgRoute<z.infer<typeof OrgParams>, unknown, ChatCompletionRequest, ChatCompletion | Readable>({
      method: 'post',
      path: `${openAiBasePath}/chat/completions`,
      summary: 'Run a deployed agent as an OpenAI chat completion, streamed or not; counted as a run',
      description:
        `${baseUrlNote} \`model\` names the agent; the last \`user\` message is the query (400 naming ` +
        'the message when there is none, or its text is empty or not text); ' +
        '`metadata.session_id` continues a conversation (a new session otherwise; the `X-Session-Id` header names it). ' +
        'Other OpenAI parameters (temperature, max_tokens, tools...) are accepted and ignored; `n` above 1 is refused. ' +
        "Counts against the org's daily runs like …/run (X-RateLimit-* headers; a 429 says `x-should-retry: false`, " +
        'as the limit lasts until midnight UTC).',
      tag: 'OpenAI-compatible',
      errorShape: 'openai',
      params: OrgParams,
      body: ChatCompletionRequest,
      response: ChatCompletion,
      errors: [404, 408, 429, 502, 503],
      handle: async ({ access, body, ctx }) => {
        const input = {
          access,
          request: body,
          signal: abortOnClientGone(ctx),
          requestId: ctx.state.requestId as string | undefined,
          onRateLimit: (rateLimit: Parameters<typeof rateLimitHeaders>[0]) => ctx.set(rateLimitHeaders(rateLimit)),
          // Its audit entry is written when the stream ends (auditRequests), so it says how it ended.
          onStreamFailed: (failure: { status: number; error: string }) =>
            noteAudit(ctx, { summary: { stream_error: failure.error, stream_error_status: failure.status } }),
        };
        try {
          if (body.stream) {
            const { events, sessionId } = await chat.stream(input);
            ctx.set({
              'Content-Type': 'text/event-stream; charset=utf-8',
              'Cache-Control': 'no-cache',
              'X-Accel-Buffering': 'no',
              'X-Session-Id': sessionId,
            });
            return events;
          }
          const { completion, sessionId } = await chat.complete(input);
          ctx.set('X-Session-Id', sessionId);
          return completion;
        } catch (err) {
          // A run's 429 is a limit that lasts for hours (the day's runs): the `openai` clients would retry it in vain.
          if ((err as { status?: unknown }).status === 429) ctx.set('x-should-retry', 'false');
          throw err;
        }
      },
    }),
  ];
}
