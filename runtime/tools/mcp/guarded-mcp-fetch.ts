import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  guardedConnector,
  type NetworkPolicy,
  refusal,
  refusedHostClass,
  systemResolver,
} from '../guarded-connector.ts';
import { ToolError } from '../tool-types.ts';

/**
 * The fetch an MCP client's Streamable HTTP transport uses: every connection it opens is judged
 * by the address it really reaches, as for the network tools (guardedConnector), so a server URL
 * that names or resolves to the machine, its private network or a cloud metadata service is
 * refused unless the config allows that class. Unlike guardedFetch it streams (MCP answers with
 * server-sent events) and keeps its connections for the client's life; `close` ends them.
 */
export async function createGuardedMcpFetch(options: {
  url: string;
  policy: NetworkPolicy;
  connectTimeoutMs: number;
}): Promise<{ fetch: FetchLike; close: () => Promise<void> }> {
  const url = new URL(options.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ToolError('refused', `an MCP server URL must be http or https, not ${url.protocol.slice(0, -1)}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addressClass = refusedHostClass(host, options.policy);
  if (addressClass) throw refusal(host, host, addressClass);
  // Loaded with the first MCP server, as the network tools load it with their first request.
  const { Agent, buildConnector, fetch } = await import('undici');
  const dispatcher = new Agent({
    connect: guardedConnector({
      policy: options.policy,
      resolveHost: systemResolver,
      timeoutMs: options.connectTimeoutMs,
      buildConnector,
    }),
  });
  const guarded: FetchLike = (input, init) =>
    // The SDK's own redirect policy (same origin only) decides; each hop still connects through the guard.
    fetch(input, { ...(init as Parameters<typeof fetch>[1]), dispatcher }) as unknown as Promise<Response>;
  // destroy, not close: close would wait for a request the server never answers.
  return { fetch: guarded, close: () => dispatcher.destroy() };
}
