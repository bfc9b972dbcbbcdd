import type { Readable } from 'node:stream';
import { z } from 'zod';
import { a2aEndpointPath } from '../http/a2a-error-shape.ts';
import { abortOnClientGone } from '../http/abort-on-client-gone.ts';
import { orgRoute } from '../http/api-route.ts';
import { publicOriginOf } from '../http/public-origin-of.ts';
import { A2aAgentCard, JsonRpcRequest, JsonRpcResponse } from '../schemas/a2a.ts';
import type { A2aService } from '../services/a2a/a2a-service.ts';
import { rateLimitHeaders } from '../services/usage-service.ts';

// The agent is looked up by the service, so an unknown name is a JSON-RPC "not found", not a schema error.
const AgentParams = z.object({ slug: z.string(), name: z.string().max(128) });

const authNote =
  'Authenticated like every org route: `X-API-Key: ask-…` (or `Authorization: Bearer ask-…`, or a member’s access token); ' +
  'the card too, as it names an org\'s agent (README: "A2A").';

/** Issue 16: every deployed agent is an A2A agent (protocol v1.0, JSON-RPC binding). */
export function a2aRoutes(a2a: A2aService, options: { apiPrefix: string; publicUrl: URL | undefined }) {
  return [
    orgRoute({
      method: 'get',
      path: `${a2aEndpointPath}/.well-known/agent-card.json`,
      summary: "A deployed agent's A2A agent card",
      description: `${authNote} The card's JSON-RPC interface is \`POST ${options.apiPrefix}${a2aEndpointPath}\`.`,
      tag: 'A2A',
      params: AgentParams,
      response: A2aAgentCard,
      errors: [404],
      handle: ({ access, params, ctx }) => {
        const origin = publicOriginOf(ctx, options.publicUrl);
        const endpointUrl = `${origin}${options.apiPrefix}/orgs/${access.orgSlug}/a2a/${params.name}`;
        return a2a.cardOf({ access, agentName: params.name, endpointUrl, origin });
      },
    }),
    orgRoute<z.infer<typeof AgentParams>, unknown, JsonRpcRequest, unknown>({
      method: 'post',
      path: a2aEndpointPath,
      summary:
        'A2A JSON-RPC endpoint of a deployed agent: SendMessage runs it (counted as a run), SendStreamingMessage streams it',
      description:
        `${authNote} \`SendMessage\` answers the agent's reply as a \`message\` whose \`contextId\` is the session: ` +
        'send it back to continue the conversation. `SendStreamingMessage` answers `text/event-stream`, each event a ' +
        'JSON-RPC response: the task (working), the answer as `artifactUpdate` chunks as tokens arrive, then the task ' +
        "completed with the whole answer. A2A v0.3's `message/send` and `message/stream` answer the same in v0.3's form. " +
        "Counts against the org's daily runs like …/run. Errors are JSON-RPC error " +
        'objects (`-32700`, `-32600`, `-32601`, `-32602`; `-32000` for a refusal and `-32603` for a failure, with our ' +
        '`{ error, status }` in `data`), under the HTTP status the envelope would have.',
      tag: 'A2A',
      errorShape: 'jsonrpc',
      params: AgentParams,
      body: JsonRpcRequest,
      response: JsonRpcResponse,
      errors: [404, 408, 429, 502, 503],
      handle: async ({ access, params, body, ctx }) => {
        const answer = await a2a.call({
          access,
          agentName: params.name,
          id: body.id ?? null,
          method: body.method,
          params: body.params,
          signal: abortOnClientGone(ctx),
          requestId: ctx.state.requestId as string | undefined,
          onRateLimit: (rateLimit) => ctx.set(rateLimitHeaders(rateLimit)),
        });
        ctx.set('X-Session-Id', answer.sessionId);
        if (answer.kind === 'json') return answer.body;
        ctx.set({
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache',
          'X-Accel-Buffering': 'no',
        });
        return answer.events satisfies Readable;
      },
    }),
  ];
}
