import { describe, expect, it } from 'vitest';
import { credentialsFrom, runTool } from '../test-support/a-tool-context.ts';
import { startFakeHttpServer } from '../test-support/start-fake-http-server.ts';
import { sendSlack } from './send-slack.ts';

async function startFakeSlack(status = 200, answer = 'ok') {
  return startFakeHttpServer((_, response) => response.writeHead(status, { 'content-type': 'text/plain' }).end(answer));
}

describe('send_slack', () => {
  it('posts the message to the configured webhook_url', async () => {
    const slack = await startFakeSlack();

    const result = await runTool(
      sendSlack,
      { message: 'Deploy finished', channel: '#ops' },
      { config: { webhook_url: `${slack.url}/services/T/B/X`, allow_localhost: true } },
    );

    expect(result).toEqual({ sent: true, response: 'ok' });
    expect(slack.requests[0]).toMatchObject({
      url: '/services/T/B/X',
      body: JSON.stringify({ text: 'Deploy finished', channel: '#ops' }),
    });
  });

  it('uses the SLACK_WEBHOOK_URL credential when the config has no webhook_url', async () => {
    const slack = await startFakeSlack();

    await runTool(
      sendSlack,
      { message: 'hi' },
      { config: { allow_localhost: true }, credentials: credentialsFrom({ SLACK_WEBHOOK_URL: `${slack.url}/hook` }) },
    );

    expect(slack.requests[0]?.body).toBe('{"text":"hi"}');
  });

  it('is not configured without a webhook', async () => {
    const running = runTool(sendSlack, { message: 'hi' });

    await expect(running).rejects.toMatchObject({
      code: 'not_configured',
      message: expect.stringMatching(/SLACK_WEBHOOK_URL/),
    });
  });

  it('fails with the Slack error code', async () => {
    const slack = await startFakeSlack(400, 'invalid_payload');

    const running = runTool(
      sendSlack,
      { message: 'hi' },
      { config: { webhook_url: slack.url, allow_localhost: true } },
    );

    await expect(running).rejects.toMatchObject({
      code: 'failed',
      message: 'Slack answered HTTP 400: invalid_payload',
    });
  });

  it('refuses a loopback webhook without allow_localhost', async () => {
    const slack = await startFakeSlack();

    const running = runTool(sendSlack, { message: 'hi' }, { config: { webhook_url: slack.url } });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });
});
