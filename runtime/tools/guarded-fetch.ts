import type { fetch } from 'undici';
import { createDeadline } from '../create-deadline.ts';
import {
  guardedConnector,
  type HostResolver,
  type NetworkPolicy,
  refusal,
  refusedHostClass,
  systemResolver,
} from './guarded-connector.ts';
import { ToolError } from './tool-types.ts';

export type { NetworkPolicy } from './guarded-connector.ts';

export interface GuardedRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  policy: NetworkPolicy;
  /** For the whole exchange: every redirect hop and the body included. */
  timeoutMs: number;
  maxResponseBytes: number;
  signal: AbortSignal;
  /** Defaults to the system resolver; tests answer with addresses of their choosing. */
  resolveHost?: HostResolver;
}

export interface GuardedResponse {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text(): string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json(): unknown;
}

const maxRedirects = 5;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
// Credentials meant for one origin must not follow a redirect to another.
const originBoundHeaders = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * The one HTTP client of every request-making tool. It refuses, with ToolError 'refused', any
 * scheme but http/https and any address outside `policy`. Addresses are checked where the socket
 * actually connects (the DNS lookup hook and the connected peer), so a name resolving to 127.0.0.1,
 * DNS rebinding and each redirect hop are all caught. It enforces `timeoutMs` and
 * `maxResponseBytes`, and never throws anything but ToolError or the caller's abort reason.
 */
export async function guardedFetch(request: GuardedRequest): Promise<GuardedResponse> {
  let url = checkUrl(request.url, request.policy);
  // undici loads with the first request a tool makes, not at start: most runtimes make none, and
  // each org's runtime pays for every module it loads (issue 13).
  const { Agent, buildConnector, fetch } = await import('undici');
  // Cleared once the exchange is over: see createDeadline for why not AbortSignal.timeout.
  const deadline = createDeadline(request.timeoutMs);
  const timeout = deadline.signal;
  const signal = AbortSignal.any([request.signal, timeout]);
  // One dispatcher per exchange: no connection outlives the checks made for it.
  const dispatcher = new Agent({
    connect: guardedConnector({
      policy: request.policy,
      resolveHost: request.resolveHost ?? systemResolver,
      timeoutMs: request.timeoutMs,
      buildConnector,
    }),
  });
  try {
    let method = request.method ?? 'GET';
    let headers: Record<string, string> = {
      'user-agent': 'astromesh-runtime',
      ...lowerCaseKeys(request.headers ?? {}),
    };
    let body = request.body;
    for (let hop = 0; ; hop += 1) {
      const response = await fetch(url, { method, headers, body, redirect: 'manual', signal, dispatcher });
      const location = response.headers.get('location');
      if (!redirectStatuses.has(response.status) || location === null) {
        return await readResponse(url, response, request.maxResponseBytes);
      }
      await response.body?.cancel();
      if (hop === maxRedirects)
        throw new ToolError('failed', `more than ${maxRedirects} redirects from ${request.url}`);
      const next = checkUrl(new URL(location, url).toString(), request.policy);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = withoutKeys(headers, ['content-type', 'content-length']);
      }
      if (new URL(next).origin !== new URL(url).origin) headers = withoutKeys(headers, originBoundHeaders);
      url = next;
    }
  } catch (err) {
    if (request.signal.aborted) throw request.signal.reason;
    if (timeout.aborted) {
      throw new ToolError('timeout', `no complete response from ${hostOf(url)} within ${request.timeoutMs / 1000} s`);
    }
    throw asToolError(err, url);
  } finally {
    deadline.clear();
    await dispatcher.destroy();
  }
}

function checkUrl(text: string, policy: NetworkPolicy): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ToolError('invalid_input', `not a valid URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolError('refused', `only http and https URLs are allowed, not ${url.protocol.slice(0, -1)}`);
  }
  const host = hostOf(url.toString());
  const addressClass = refusedHostClass(host, policy);
  if (addressClass) throw refusal(host, host, addressClass);
  return url.toString();
}

async function readResponse(
  url: string,
  response: Awaited<ReturnType<typeof fetch>>,
  maxResponseBytes: number,
): Promise<GuardedResponse> {
  const declaredLength = Number(response.headers.get('content-length') ?? 0);
  if (declaredLength > maxResponseBytes) {
    await response.body?.cancel();
    throw tooLarge(maxResponseBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > maxResponseBytes) throw tooLarge(maxResponseBytes);
    chunks.push(Buffer.from(chunk));
  }
  const body = Buffer.concat(chunks);
  return {
    url,
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body,
    text: () => body.toString('utf8'),
    json: () => parseJson(body.toString('utf8')),
  };
}

function tooLarge(maxResponseBytes: number): ToolError {
  return new ToolError('failed', `the response is larger than max_response_bytes (${maxResponseBytes} bytes)`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch wraps connection failures in TypeError('fetch failed'); the reason is in the cause chain. */
function asToolError(err: unknown, url: string): ToolError {
  for (let cause = err; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ToolError) return cause;
  }
  return new ToolError('failed', `request to ${hostOf(url)} failed: ${describeCause(err)}`, { cause: err });
}

function describeCause(err: unknown): string {
  let deepest = err;
  while (deepest instanceof Error && deepest.cause instanceof Error) deepest = deepest.cause;
  if (deepest instanceof Error) {
    const code = (deepest as { code?: unknown }).code;
    return typeof code === 'string' && !deepest.message.includes(code) ? `${code} ${deepest.message}` : deepest.message;
  }
  return String(deepest);
}

function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, '');
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function withoutKeys(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}
