import type http from 'node:http';
import { bodyCutShort, readWholeBody, sendProviderRequest } from './send-provider-request.ts';

const redirects = new Set([301, 302, 303, 307, 308]);
const nullBodyStatuses = new Set([101, 204, 205, 304]);

/**
 * The `fetch` the AI SDK's providers call models with: node:http(s) over keep-alive agents
 * instead of the global fetch, which costs twice the CPU per call (its WHATWG streams and
 * request/response machinery; measured 0.17-0.27 ms against 0.10-0.13 ms a call), the biggest
 * part of a run's overhead that is ours to cut (issue 13). It keeps the contract the SDK relies
 * on: an abort rejects with the signal's reason, a failed connection with TypeError('fetch
 * failed') and the socket error as its cause, a body cut short errors with TypeError('terminated').
 * JSON answers are read whole; any other body (SSE, NDJSON) streams as it arrives. What it does
 * not do (a Request object, a body that is not a string or bytes, redirects) goes to the global
 * fetch.
 */
export async function providerFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const body = init.body;
  const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
  if (input instanceof Request || !plainBody) return fetch(input, init);
  const url = input instanceof URL ? input : new URL(input);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();

  const response = await sendProviderRequest(url, {
    method: init.method ?? 'GET',
    headers: headersOf(init.headers),
    body: body ?? undefined,
    signal,
  });
  const status = response.statusCode ?? 0;
  if (redirects.has(status) && response.headers.location !== undefined) {
    response.resume();
    return fetch(input, init);
  }
  const headers = new Headers();
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    headers.append(response.rawHeaders[i] as string, response.rawHeaders[i + 1] as string);
  }
  const options = { status, statusText: response.statusMessage ?? '', headers };
  if (nullBodyStatuses.has(status)) {
    response.resume();
    return new Response(null, options);
  }
  const isJson = /^application\/(.+\+)?json\b/i.test(headers.get('content-type') ?? '');
  if (isJson) return new Response(await readWholeBody(response, signal), options);
  return new Response(streamOf(response, signal), options);
}

function headersOf(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

function streamOf(response: http.IncomingMessage, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let done = false;
      const fail = (err?: Error) => {
        if (done) return;
        done = true;
        controller.error(bodyCutShort(response, signal, err));
      };
      response.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) response.pause();
      });
      response.once('end', () => {
        if (done) return;
        done = true;
        controller.close();
      });
      response.once('error', fail);
      response.once('close', () => {
        if (!response.complete) fail();
      });
    },
    pull() {
      response.resume();
    },
    cancel() {
      response.destroy();
    },
  });
}
