import { z } from 'zod';
import { defaultTimeoutSeconds } from '../network-config.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import { type Tool, type ToolContext, ToolError } from '../tool-types.ts';

const maxRecipients = 50;

const SendEmailInput = z.object({
  to: z
    .string()
    .min(3)
    .max(5_000)
    .refine((to) => recipientsOf(to).every((address) => z.email().safeParse(address).success), {
      message: 'must be one or more email addresses separated by commas',
    })
    .refine((to) => recipientsOf(to).length <= maxRecipients, { message: `at most ${maxRecipients} recipients` })
    .describe('Recipient address, or several separated by commas.'),
  subject: z.string().min(1).max(998).describe('Subject line.'),
  body: z.string().min(1).max(1_000_000).describe('Plain-text body of the email.'),
});
type SendEmailInput = z.infer<typeof SendEmailInput>;

/** Upstream keys; each falls back to the SMTP_* credential of the same meaning. */
export const SendEmailConfig = z.object({
  smtp_host: z.string().max(253).optional(),
  smtp_port: z.int().min(1).max(65_535).optional(),
  smtp_user: z.string().max(256).optional(),
  smtp_password: z.string().max(256).optional(),
  from_address: z.email().optional(),
  smtp_secure: z.boolean().optional().describe('Implicit TLS from the first byte; defaults to true on port 465.'),
  timeout_seconds: z.number().positive().max(600).default(defaultTimeoutSeconds),
});

export const sendEmail: Tool<SendEmailInput> = {
  name: 'send_email',
  description:
    "Send a plain-text email through the agent's SMTP server. Use it only when the user asked for an email " +
    'to be sent, and confirm the recipients and content with them first.',
  inputSchema: SendEmailInput,
  configSchema: SendEmailConfig,
  async run(input, context) {
    const smtp = smtpSettings(context);
    const timeoutMs = smtp.timeoutSeconds * 1000;
    // Loaded when an email is sent, not at start: most runtimes never send one (issue 13, idle memory).
    const { createTransport } = await import('nodemailer');
    // No SSRF guard here: the SMTP host comes from the operator's config, never from the model.
    const transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user && smtp.password ? { user: smtp.user, pass: smtp.password } : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    const closeTransport = () => transport.close();
    context.signal.addEventListener('abort', closeTransport, { once: true });
    try {
      const info = await transport.sendMail({
        from: smtp.from,
        to: recipientsOf(input.to),
        subject: input.subject,
        text: input.body,
      });
      return { sent: true, message_id: info.messageId, accepted: info.accepted, rejected: info.rejected };
    } catch (err) {
      throw asToolError(err as Error & { code?: string; response?: string });
    } finally {
      context.signal.removeEventListener('abort', closeTransport);
      transport.close();
    }
  },
};

function smtpSettings(context: ToolContext) {
  const config = parseToolConfig(SendEmailConfig, context.config, 'send_email');
  const host = config.smtp_host ?? context.credentials('SMTP_HOST');
  const user = config.smtp_user ?? context.credentials('SMTP_USER');
  const from = config.from_address ?? context.credentials('SMTP_FROM') ?? user;
  if (!host || !from) {
    throw new ToolError(
      'not_configured',
      'send_email is not configured: it needs smtp_host and from_address in the tool config, or the SMTP_HOST ' +
        'and SMTP_FROM credentials',
    );
  }
  const port = config.smtp_port ?? Number(context.credentials('SMTP_PORT') ?? 587);
  return {
    host,
    port,
    secure: config.smtp_secure ?? port === 465,
    user,
    password: config.smtp_password ?? context.credentials('SMTP_PASSWORD'),
    from,
    timeoutSeconds: config.timeout_seconds,
  };
}

function recipientsOf(to: string): string[] {
  return to
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
}

function asToolError(err: Error & { code?: string; response?: string }): ToolError {
  if (err.code === 'EAUTH') return new ToolError('not_configured', `the SMTP server refused the login: ${err.message}`);
  if (err.code === 'EENVELOPE') return new ToolError('failed', `the SMTP server refused a recipient: ${err.message}`);
  if (err.code === 'ETIMEDOUT') return new ToolError('timeout', `the SMTP server did not answer: ${err.message}`);
  return new ToolError('failed', `sending the email failed: ${err.message}`);
}
