import { describe, expect, it } from 'vitest';
import { credentialsFrom, runTool } from '../test-support/a-tool-context.ts';
import { startFakeSmtpServer } from '../test-support/start-fake-smtp-server.ts';
import { sendEmail } from './send-email.ts';

function anEmail(overrides: Record<string, unknown> = {}) {
  return { to: 'ada@example.com', subject: 'Weekly report', body: 'All green.', ...overrides };
}

function anSmtpConfig(port: number, overrides: Record<string, unknown> = {}) {
  return { smtp_host: '127.0.0.1', smtp_port: port, from_address: 'bot@acme.example', ...overrides };
}

describe('send_email', () => {
  it('sends the email through the configured SMTP server', async () => {
    const smtp = await startFakeSmtpServer();

    const result = await runTool(sendEmail, anEmail(), { config: anSmtpConfig(smtp.port) });

    expect(result).toMatchObject({ sent: true, accepted: ['ada@example.com'], rejected: [] });
    expect(smtp.received[0]).toMatchObject({ from: 'bot@acme.example', to: ['ada@example.com'] });
    expect(smtp.received[0]?.raw).toMatch(/Subject: Weekly report[\s\S]*All green\./);
  });

  it('sends to several comma-separated recipients', async () => {
    const smtp = await startFakeSmtpServer();

    await runTool(sendEmail, anEmail({ to: 'ada@example.com, linus@example.com' }), {
      config: anSmtpConfig(smtp.port),
    });

    expect(smtp.received[0]?.to).toEqual(['ada@example.com', 'linus@example.com']);
  });

  it('takes the server and login from the SMTP_* credentials', async () => {
    const smtp = await startFakeSmtpServer({
      onAuth: (auth, _, callback) =>
        auth.username === 'mailer' && auth.password === 's3cret'
          ? callback(null, { user: auth.username })
          : callback(new Error('bad login')),
    });
    const credentials = credentialsFrom({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_USER: 'mailer',
      SMTP_PASSWORD: 's3cret',
      SMTP_FROM: 'noreply@acme.example',
    });

    await runTool(sendEmail, anEmail(), { credentials });

    expect(smtp.received[0]).toMatchObject({ from: 'noreply@acme.example', user: 'mailer' });
  });

  it('is not configured without an SMTP host', async () => {
    const running = runTool(sendEmail, anEmail());

    await expect(running).rejects.toMatchObject({
      code: 'not_configured',
      message: expect.stringMatching(/SMTP_HOST/),
    });
  });

  it('reports a refused login as not_configured', async () => {
    const smtp = await startFakeSmtpServer({ onAuth: (_, __, callback) => callback(new Error('bad login')) });

    const running = runTool(sendEmail, anEmail(), {
      config: anSmtpConfig(smtp.port, { smtp_user: 'mailer', smtp_password: 'wrong' }),
    });

    await expect(running).rejects.toMatchObject({ code: 'not_configured', message: expect.stringMatching(/login/) });
  });

  it('fails when the server refuses the recipient', async () => {
    const smtp = await startFakeSmtpServer({
      onRcptTo: (_, __, callback) => callback(new Error('mailbox unavailable')),
    });

    const running = runTool(sendEmail, anEmail(), { config: anSmtpConfig(smtp.port) });

    await expect(running).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/recipient/) });
    expect(smtp.received).toEqual([]);
  });

  it('rejects a recipient that is not an email address', () => {
    const parsed = sendEmail.inputSchema.safeParse(anEmail({ to: 'ada@example.com, not-an-address' }));

    expect(parsed.error?.issues[0]).toMatchObject({ path: ['to'], message: expect.stringMatching(/email addresses/) });
  });
});
