import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeProvider } from './fake-provider.ts';
import { startFakeProvider } from './start-fake-provider.ts';

/** One request as Azure's front door saw it, before the Chat Completions fake answered it. */
export interface AzureRequest {
  path: string;
  apiVersion: string | null;
  apiKeyHeader: string | undefined;
  authorization: string | undefined;
}

export interface FakeAzureOpenAI {
  /** The resource endpoint an agent names: `http://127.0.0.1:<port>` (as https://{resource}.openai.azure.com). */
  readonly endpoint: string;
  /** The Chat Completions fake behind the front door: enqueue replies on it, read bodies from it. */
  readonly chat: FakeProvider;
  readonly requests: readonly AzureRequest[];
  close(): Promise<void>;
}

/**
 * A fake Azure OpenAI resource: it serves Chat Completions only at
 * `/openai/deployments/{deployment}/chat/completions?api-version={apiVersion}` with the key in an
 * `api-key` header, and at the v1 API's `/openai/v1/chat/completions` for `model: {deployment}`
 * with the key as a bearer token (or api-key header) and no api-version, answers anything else as Azure does (404 DeploymentNotFound, 401, 400 for a
 * missing api-version), and hands what it accepts to the OpenAI wire fake.
 */
export async function startFakeAzureOpenAI(options: {
  deployment: string;
  apiVersion: string;
  apiKey: string;
}): Promise<FakeAzureOpenAI> {
  const chat = await startFakeProvider('openai');
  const requests: AzureRequest[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { fakeError: String(err) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const apiKeyHeader = req.headers['api-key'] as string | undefined;
    const seen: AzureRequest = {
      path: url.pathname,
      apiVersion: url.searchParams.get('api-version'),
      apiKeyHeader,
      authorization: req.headers.authorization,
    };
    requests.push(seen);
    const body = await readBody(req);
    if (url.pathname.startsWith('/openai/v1/')) return handleV1(url, req, res, body);
    if (seen.apiVersion === null) {
      return sendJson(res, 400, azureError('400', 'Missing API version parameter.'));
    }
    if (seen.apiVersion !== options.apiVersion) {
      return sendJson(res, 404, azureError('404', 'Resource not found'));
    }
    if (apiKeyHeader !== options.apiKey) {
      return sendJson(res, 401, azureError('401', 'Access denied due to invalid subscription key.'));
    }
    if (url.pathname !== `/openai/deployments/${options.deployment}/chat/completions` || req.method !== 'POST') {
      return sendJson(
        res,
        404,
        azureError('DeploymentNotFound', 'The API deployment for this resource does not exist.'),
      );
    }
    await forward(res, body);
  }

  // Azure's v1 API: OpenAI's own paths under /openai/v1, the deployment in the body's `model`,
  // no api-version needed, and the key as a bearer token (what OpenAI's clients send) or api-key.
  async function handleV1(url: URL, req: IncomingMessage, res: ServerResponse, body: string) {
    const key = req.headers['api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '');
    if (key !== options.apiKey) {
      return sendJson(res, 401, azureError('401', 'Access denied due to invalid subscription key.'));
    }
    const model = (JSON.parse(body) as { model?: unknown }).model;
    if (url.pathname !== '/openai/v1/chat/completions' || req.method !== 'POST' || model !== options.deployment) {
      return sendJson(
        res,
        404,
        azureError('DeploymentNotFound', 'The API deployment for this resource does not exist.'),
      );
    }
    await forward(res, body);
  }

  async function forward(res: ServerResponse, body: string) {
    const answer = await fetch(`${chat.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    if (answer.body) for await (const chunk of answer.body) res.write(chunk);
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    chat,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await chat.close();
    },
  };
}

const azureError = (code: string, message: string) => ({ error: { code, message } });

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
