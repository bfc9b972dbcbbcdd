import { z } from 'zod';
import { guardedFetch } from '../guarded-fetch.ts';
import { NetworkConfig, networkLimitsOf } from '../network-config.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import { type Tool, ToolError } from '../tool-types.ts';
import { HttpHeaders } from './http-body.ts';

const SendWebhookInput = z.object({
  url: z.string().max(8192).describe('The webhook URL to POST to.'),
  payload: z.unknown().describe('The JSON payload to send.'),
  headers: HttpHeaders.optional().describe('Extra request headers, e.g. a signature or token header.'),
});
type SendWebhookInput = z.infer<typeof SendWebhookInput>;

// Enough of the receiver's answer to explain a failure or echo an id, not a whole page.
const maxResponseChars = 2_000;

export const sendWebhook: Tool<SendWebhookInput> = {
  name: 'send_webhook',
  description:
    'Notify another system by POSTing a JSON payload to a webhook URL (Zapier, n8n, a CI trigger, your own ' +
    'service). Succeeds when the receiver answers with a 2xx status.',
  inputSchema: SendWebhookInput,
  configSchema: NetworkConfig,
  async run(input, context) {
    const config = parseToolConfig(NetworkConfig, context.config, 'send_webhook');
    const response = await guardedFetch({
      url: input.url,
      method: 'POST',
      headers: { ...input.headers, 'content-type': 'application/json' },
      body: JSON.stringify(input.payload ?? null),
      signal: context.signal,
      ...networkLimitsOf(config),
    });
    const answer = response.text().slice(0, maxResponseChars);
    if (response.status < 200 || response.status >= 300) {
      throw new ToolError('failed', `the webhook answered HTTP ${response.status}: ${answer}`);
    }
    return { delivered: true, status_code: response.status, response: answer };
  },
};
