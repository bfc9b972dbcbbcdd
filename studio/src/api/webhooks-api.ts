import type { CreateWebhookBody, WebhookView, WebhookWithSecretView } from '../../../api/schemas/webhook.ts';
import type { ApiClient } from './api-client.ts';

export type { WebhookView, WebhookWithSecretView };

/** An agent's inbound webhooks (README "Webhooks"): managers only; a secret comes once, on create or rotate. */
export function webhooksApi(api: ApiClient, org: string, agent: string) {
  const webhooksPath = `/orgs/${encodeURIComponent(org)}/agents/${encodeURIComponent(agent)}/webhooks`;
  const webhookPath = (id: string) => `${webhooksPath}/${encodeURIComponent(id)}`;
  return {
    list: async () => (await api.request<{ webhooks: WebhookView[] }>('GET', webhooksPath)).webhooks,
    create: (input: CreateWebhookBody) => api.request<WebhookWithSecretView>('POST', webhooksPath, input),
    /** graceSeconds: how long the replaced secret is still accepted (the API's default, a day, when not given). */
    rotate: (id: string, graceSeconds?: number) =>
      api.request<WebhookWithSecretView>(
        'POST',
        `${webhookPath(id)}/rotate`,
        graceSeconds === undefined ? {} : { grace_seconds: graceSeconds },
      ),
    remove: (id: string) => api.request<void>('DELETE', webhookPath(id)),
  };
}
export type WebhooksApi = ReturnType<typeof webhooksApi>;
