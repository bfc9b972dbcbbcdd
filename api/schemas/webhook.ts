import { z } from 'zod';
import { AgentName } from '../../crds/cloud-agent.ts';
import { trimmedText } from './trimmed-text.ts';

const WebhookId = z.uuid({ error: 'must be the id of a webhook (a UUID)' });

export const AgentWebhooksParams = z.object({ slug: z.string(), name: AgentName });
export const WebhookParams = z.object({ slug: z.string(), name: AgentName, webhook_id: WebhookId });
// Any text: an id that is not a webhook's is refused like any unsigned call (401), not with a 400.
export const InboundWebhookParams = z.object({ webhook_id: z.string() });

/** POST /orgs/{slug}/agents/{name}/webhooks. */
export const CreateWebhookBody = z.strictObject({
  name: trimmedText(100).optional().describe('A label for lists; the agent name if not given.'),
  template: z
    .string()
    .min(1)
    .max(10_000)
    .optional()
    .describe(
      'Liquid template rendering the run’s query from `payload` (the JSON body) and `webhook` (`id`, `name`, ' +
        '`agent`). Default: "Webhook {{ webhook.name }} received:\\n{{ payload | json }}".',
    ),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

/** POST …/webhooks/{webhook_id}/rotate. */
export const RotateWebhookBody = z.strictObject({
  grace_seconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60 * 60)
    .default(24 * 60 * 60)
    .describe(
      'How long the secret being replaced keeps being accepted beside the new one (default 86400: a day ' +
        'to update the sender). 0 stops it at once, for a leaked secret.',
    ),
});
export type RotateWebhookBody = z.infer<typeof RotateWebhookBody>;

const Timestamp = z.string().describe('ISO 8601, UTC.');

/** A webhook as lists show it: never its secret. */
export const WebhookView = z.object({
  id: z.string(),
  agent: z.string(),
  name: z.string(),
  url: z.string().describe('Where the sender POSTs signed calls (README: "Webhooks").'),
  template: z.string(),
  secret_prefix: z.string().describe('The first characters of the current secret, to tell secrets apart.'),
  previous_secret_expires_at: Timestamp.nullable().describe(
    'While set, the secret replaced by the last rotation is still accepted, until then.',
  ),
  created_at: Timestamp,
  rotated_at: Timestamp.nullable(),
});
export type WebhookView = z.infer<typeof WebhookView>;

export const WebhookList = z.object({ webhooks: z.array(WebhookView) });
export type WebhookList = z.infer<typeof WebhookList>;

/** What creating or rotating answers: the webhook and, this once, its secret. */
export const WebhookWithSecretView = WebhookView.extend({
  secret: z
    .string()
    .describe('The HMAC-SHA256 key of X-Astromesh-Signature. Shown only here, once; stored sealed, never logged.'),
});
export type WebhookWithSecretView = z.infer<typeof WebhookWithSecretView>;
