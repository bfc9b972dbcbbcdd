import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { startFakeHttpServer } from '../test-support/start-fake-http-server.ts';
import { sendWebhook } from './send-webhook.ts';

const loopbackAllowed = { allow_localhost: true };

describe('send_webhook', () => {
  it('posts the payload as JSON with the given headers', async () => {
    const receiver = await startFakeHttpServer((_, response) => response.writeHead(202).end('queued'));

    const result = await runTool(
      sendWebhook,
      { url: `${receiver.url}/hook`, payload: { event: 'deployed' }, headers: { 'X-Signature': 'sig' } },
      { config: loopbackAllowed },
    );

    expect(result).toEqual({ delivered: true, status_code: 202, response: 'queued' });
    expect(receiver.requests[0]).toMatchObject({
      method: 'POST',
      url: '/hook',
      headers: { 'content-type': 'application/json', 'x-signature': 'sig' },
      body: '{"event":"deployed"}',
    });
  });

  it('fails when the receiver answers with an error status', async () => {
    const receiver = await startFakeHttpServer((_, response) => response.writeHead(500).end('boom'));

    const running = runTool(sendWebhook, { url: receiver.url, payload: {} }, { config: loopbackAllowed });

    await expect(running).rejects.toMatchObject({ code: 'failed', message: 'the webhook answered HTTP 500: boom' });
  });

  it('refuses a loopback URL without allow_localhost', async () => {
    const receiver = await startFakeHttpServer();

    const running = runTool(sendWebhook, { url: receiver.url, payload: {} });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
    expect(receiver.requests).toEqual([]);
  });

  it('refuses the cloud metadata service', async () => {
    const running = runTool(sendWebhook, { url: 'http://169.254.169.254/latest/api/token', payload: {} });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });
});
