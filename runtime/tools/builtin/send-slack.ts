import { z } from 'zod';
import { guardedFetch } from '../guarded-fetch.ts';
import { NetworkConfig, networkLimitsOf } from '../network-config.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import { type Tool, ToolError } from '../tool-types.ts';

const SendSlackInput = z.object({
  message: z.string().min(1).max(40_000).describe('The message text; Slack mrkdwn formatting works.'),
  channel: z
    .string()
    .max(80)
    .optional()
    .describe('Channel such as #alerts; only legacy webhooks honour it, others post to their own channel.'),
});
type SendSlackInput = z.infer<typeof SendSlackInput>;

export const SendSlackConfig = NetworkConfig.extend({
  webhook_url: z.url().optional().describe('Slack incoming webhook URL; else the SLACK_WEBHOOK_URL credential.'),
});

export const sendSlack: Tool<SendSlackInput> = {
  name: 'send_slack',
  description:
    "Post a message to Slack through the agent's incoming webhook. Use it to notify a team or report the " +
    'result of a task.',
  inputSchema: SendSlackInput,
  configSchema: SendSlackConfig,
  async run(input, context) {
    const config = parseToolConfig(SendSlackConfig, context.config, 'send_slack');
    const webhookUrl = config.webhook_url ?? context.credentials('SLACK_WEBHOOK_URL');
    if (!webhookUrl) {
      throw new ToolError(
        'not_configured',
        'send_slack is not configured: set webhook_url in the tool config or the SLACK_WEBHOOK_URL credential',
      );
    }
    const response = await guardedFetch({
      url: webhookUrl,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: input.message, ...(input.channel ? { channel: input.channel } : {}) }),
      signal: context.signal,
      ...networkLimitsOf(config),
    });
    // Slack answers "ok" or a short error code such as invalid_payload or no_service.
    const answer = response.text().slice(0, 500);
    if (response.status !== 200) throw new ToolError('failed', `Slack answered HTTP ${response.status}: ${answer}`);
    return { sent: true, response: answer };
  },
};
