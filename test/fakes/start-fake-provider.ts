import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderName } from '../../runtime/config/agent-schema.ts';
import { answerEmbeddingRequest, isEmbeddingPath } from './fake-embeddings.ts';
import type { FakeProvider, FakeProviderOptions, RecordedRequest } from './fake-provider.ts';
import { type FakeAnswer, type FakeReply, fakeReply } from './fake-reply.ts';
import type { ProviderWire } from './provider-wire.ts';
import { wireForProvider } from './wire-for-provider.ts';

type RequestState = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

/**
 * Starts a fake of one model provider's HTTP API on a free loopback port. It answers in the
 * provider's real wire format (JSON or streamed), from a queue of scripted replies:
 *
 *   const fake = await startFakeProvider('openai');
 *   fake.enqueue(fakeReply.toolCall('get_weather', { city: 'Paris' }), fakeReply.text('It is sunny.'));
 *   // point a candidate at fake.baseUrl, run it, then inspect fake.requests
 *   await fake.close();
 */
export async function startFakeProvider(
  provider: ProviderName,
  options: FakeProviderOptions = {},
): Promise<FakeProvider> {
  const wire = wireForProvider(provider);
  const maxRecordedRequests = options.maxRecordedRequests ?? 1000;
  const queue: FakeReply[] = [];
  const requests: RequestState[] = [];
  let defaultReply = options.defaultReply ?? fakeReply.text('Hello from the fake provider.');
  let requestCount = 0;
  let isClosing = false;

  const server = createServer((req, res) => {
    requestCount++;
    handle(req, res, requestCount).catch((err: unknown) => {
      // A bug in the fake must fail the test that hit it, not vanish.
      if (!res.headersSent) sendJson(res, 500, { fakeError: String(err) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, number: number) {
    let isFinishedByFake = false;
    let state: RequestState | undefined;
    res.on('close', () => {
      if (state && !res.writableFinished && !isFinishedByFake && !isClosing) state.wasAbortedByClient = true;
    });

    const rawBody = await readBody(req);
    if (rawBody === undefined) return;
    const body = parseJsonObject(rawBody);
    state = {
      number,
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      headers: req.headers,
      body: body ?? {},
      isStream: body !== undefined && wire.isStreamRequest(body),
      wasAbortedByClient: false,
      isComplete: false,
    };
    requests.push(state);
    if (requests.length > maxRecordedRequests) requests.shift();
    const record = state;
    const finish = (status: number, payload: unknown) => {
      sendJson(res, status, payload);
      record.isComplete = true;
    };

    const isEmbedding = isEmbeddingPath(provider, record.path);
    if (req.method !== 'POST' || !(wire.paths.includes(record.path) || isEmbedding)) {
      return finish(404, wire.renderError({ status: 404, message: `no route for ${req.method} ${record.path}` }));
    }
    if (body === undefined) return finish(400, wire.renderError({ status: 400, message: 'the body is not JSON' }));
    if (options.apiKey !== undefined && wire.readApiKey(req.headers) !== options.apiKey) {
      return finish(401, wire.renderError({ status: 401, message: 'Invalid API key provided.' }));
    }

    // Embedding requests answer from the text itself and leave the scripted chat replies alone.
    if (isEmbedding) {
      const embedded = answerEmbeddingRequest(provider, body);
      return finish(embedded.status, embedded.payload);
    }
    const reply = queue.shift() ?? defaultReply;
    if (reply.kind === 'hang') return;
    await pause(reply.delayMs, res);
    if (res.destroyed) return;
    if (reply.kind === 'failure') return finish(reply.status, wire.renderError(reply));

    const context = {
      model: typeof body.model === 'string' ? body.model : 'unknown-model',
      requestNumber: number,
      toolCallIds: reply.toolCalls.map((call, index) => call.id ?? `${wire.toolCallIdPrefix}${number}_${index}`),
      body,
    };
    if (!record.isStream) return finish(200, wire.renderAnswer(reply, context));
    const outcome = await writeStream(res, reply, wire.renderStream(reply, context));
    if (outcome === 'complete') record.isComplete = true;
    if (outcome === 'disconnected') {
      isFinishedByFake = true;
      // end() rather than destroy(): the frames written so far still reach the client, then the
      // connection drops without the stream's end, as when a provider dies mid-answer.
      res.socket?.end();
    }
  }

  async function writeStream(
    res: ServerResponse,
    answer: FakeAnswer,
    frames: ReturnType<ProviderWire['renderStream']>,
  ) {
    res.writeHead(200, { 'content-type': wire.streamContentType, 'cache-control': 'no-cache' });
    res.flushHeaders();
    let textDeltas = 0;
    for (const [index, frame] of frames.entries()) {
      if (index > 0) await pause(answer.chunkDelayMs, res);
      if (res.destroyed) return 'aborted';
      res.write(frame.data);
      if (frame.isTextDelta) textDeltas++;
      if (textDeltas === answer.stallAfterDeltas) return 'stalled';
      if (textDeltas === answer.disconnectAfterDeltas) return 'disconnected';
    }
    res.end();
    return 'complete';
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    provider,
    url,
    baseUrl: `${url}${wire.basePath}`,
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    setDefaultReply: (reply) => {
      defaultReply = reply;
    },
    requests,
    get lastRequest() {
      const last = requests.at(-1);
      if (!last) throw new Error(`the fake ${provider} server has received no request`);
      return last;
    },
    get requestCount() {
      return requestCount;
    },
    close: () => {
      isClosing = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging and streaming responses keep their sockets open; close() must not wait for them.
        server.closeAllConnections();
      });
    },
  };
}

/** The body as text, or undefined when the client went away before sending all of it. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, payload: unknown) {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Waits `ms`, or less if the response closes first (the client left, or the fake is closing). */
function pause(ms: number, res: ServerResponse): Promise<void> {
  if (ms <= 0 || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}
