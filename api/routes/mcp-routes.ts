import { readFileSync } from 'node:fs';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { abortOnClientGone } from '../http/abort-on-client-gone.ts';
import { orgRoute } from '../http/api-route.ts';
import type { OrgAccess } from '../http/principal.ts';
import { JsonRpcMessage } from '../schemas/json-rpc-message.ts';
import type { AgentTools } from '../services/mcp/agent-tools.ts';
import { createAgentMcpServer } from '../services/mcp/create-agent-mcp-server.ts';
import { rateLimitHeaders } from '../services/usage-service.ts';

const OrgParams = z.object({ slug: z.string() });

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const endpointNote =
  "The org's MCP endpoint (Model Context Protocol, Streamable HTTP transport, stateless): every deployed agent " +
  'of the org is a tool named after the agent, taking `{ query, session_id?, context? }` (the body of …/run). ' +
  'Point an MCP client (e.g. the SDK’s `StreamableHTTPClientTransport`, or an IDE) at this URL with an API key ' +
  '(`X-API-Key` or `Authorization: Bearer ask-…`) or an access token. Stateless: no `Mcp-Session-Id`, so any ' +
  'API replica answers any request.';

// GET (a server-to-client SSE stream) and DELETE (ending a session) have nothing to do without
// sessions; MCP lets a server answer both with 405 (Streamable HTTP, "Listening for Messages" and
// "Session Management"). DELETE is no route of ours: the router answers it 405 with `Allow`, and
// SDK clients send it only with a session id, which this endpoint never gives.
const noSessions = () =>
  new AppError(
    'method_not_allowed',
    405,
    'This MCP endpoint is stateless: it opens no server-to-client stream; POST JSON-RPC messages to it',
    {
      headers: { Allow: 'POST' },
    },
  );

// MCP Streamable HTTP: a client's POST must accept both, since the server may answer either.
const acceptsMcpAnswers = (accept: string) =>
  accept.includes('application/json') && accept.includes('text/event-stream');
const notAcceptable = () =>
  new AppError(
    'not_acceptable',
    406,
    'accept: an MCP client must accept application/json and text/event-stream (MCP Streamable HTTP)',
  );

/** Issue 16, item 2b: an org's deployed agents as MCP tools, at one Streamable HTTP endpoint. */
export function mcpRoutes(tools: AgentTools) {
  return [
    orgRoute<z.infer<typeof OrgParams>, unknown, JsonRpcMessage, undefined>({
      method: 'post',
      path: '/orgs/{slug}/mcp',
      summary: "MCP (Streamable HTTP): the org's deployed agents as tools; a tools/call is a run, counted as one",
      description:
        `${endpointNote} The body is a JSON-RPC message of MCP (initialize, tools/list, tools/call...); the answer is ` +
        'its JSON-RPC response as `application/json` (send `Accept: application/json, text/event-stream`), 202 for a ' +
        'notification. A tools/call runs the agent like …/run (daily runs, budgets, usage, audit `mcp.call`): its ' +
        'answer is the text content and `structuredContent` the …/run answer (session_id, tokens, cost_usd, model...). ' +
        'A refused or failed run (429 limit, budget_exceeded, runtime errors) is a tool result with `isError: true`, ' +
        'its code in the text and in `_meta["astromesh/error"]`; a name that is no deployed agent is the JSON-RPC ' +
        'error -32602.',
      tag: 'MCP',
      params: OrgParams,
      body: JsonRpcMessage,
      errors: [406],
      bodilessAnswers: {
        202: 'Accepted: the body was a JSON-RPC notification or response, which gets no answer (MCP Streamable HTTP).',
      },
      handle: async ({ access, body, ctx }) => {
        // The transport would refuse it too, but in a JSON-RPC body: this is the documented envelope.
        if (!acceptsMcpAnswers(ctx.get('accept'))) throw notAcceptable();
        await serveMcpRequest(ctx, { tools, access, body });
        return undefined;
      },
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/mcp',
      summary: 'MCP (Streamable HTTP): no server-to-client stream on this stateless endpoint (405)',
      description: endpointNote,
      tag: 'MCP',
      params: OrgParams,
      errors: [405],
      handle: async () => {
        throw noSessions();
      },
    }),
  ];
}

/**
 * One request, one server and one transport (stateless mode): nothing is kept between requests,
 * so no session has to stick to a replica. The transport writes the answer itself, on the raw
 * response (koa steps aside); the request's headers set so far (X-Request-Id...) go with it.
 */
async function serveMcpRequest(ctx: Context, input: { tools: AgentTools; access: OrgAccess; body: unknown }) {
  const server = createAgentMcpServer({
    tools: input.tools,
    access: input.access,
    signal: abortOnClientGone(ctx),
    onRateLimit: (rateLimit) => ctx.set(rateLimitHeaders(rateLimit)),
    requestId: ctx.state.requestId as string | undefined,
    version: packageJson.version,
  });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  ctx.res.once('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(ctx.req, ctx.res, input.body);
  // Only now: a request that failed before the transport answered still gets koa's error envelope.
  ctx.respond = false;
}
