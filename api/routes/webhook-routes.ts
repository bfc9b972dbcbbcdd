import type { Context } from 'koa';
import { orgRoute, publicRoute } from '../http/api-route.ts';
import { noteAudit } from '../http/audit-requests.ts';
import { managers } from '../http/principal.ts';
import { publicOriginOf } from '../http/public-origin-of.ts';
import { BackgroundRunView } from '../schemas/background-run.ts';
import {
  AgentWebhooksParams,
  CreateWebhookBody,
  InboundWebhookParams,
  RotateWebhookBody,
  WebhookList,
  WebhookParams,
  WebhookView,
  WebhookWithSecretView,
} from '../schemas/webhook.ts';
import type { WebhookService } from '../services/webhooks/webhook-service.ts';
import type { WebhookRecord } from '../stores/webhooks-store.ts';
import { backgroundRunViewOf } from './background-run-view-of.ts';

/** Where inbound calls go, relative to the API prefix; keepRawBody keeps their bytes (create-api.ts). */
export const inboundWebhookPath = '/hooks/{webhook_id}';

export function webhookRoutes(webhooks: WebhookService, deps: { apiPrefix: string; publicUrl: URL | undefined }) {
  const urlOf = (ctx: Context, id: string) => `${publicOriginOf(ctx, deps.publicUrl)}${deps.apiPrefix}/hooks/${id}`;
  const viewOf =
    (ctx: Context) =>
    (webhook: WebhookRecord): WebhookView => ({
      id: webhook.id,
      agent: webhook.agentName,
      name: webhook.name,
      url: urlOf(ctx, webhook.id),
      template: webhook.template,
      secret_prefix: webhook.secretPrefix,
      previous_secret_expires_at: webhook.previous?.expiresAt.toISOString() ?? null,
      created_at: webhook.createdAt.toISOString(),
      rotated_at: webhook.rotatedAt?.toISOString() ?? null,
    });
  return [
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents/{name}/webhooks',
      summary: 'Create an inbound webhook for the agent: a URL and its signing secret, shown once',
      description:
        'A POST to `url` signed with `secret` starts a background run of the agent (README: "Webhooks"). ' +
        'At most 10 webhooks per agent (409 webhook_limit_reached); a template that does not parse is a 422 ' +
        'naming `template`.',
      tag: 'Webhooks',
      roles: managers,
      params: AgentWebhooksParams,
      body: CreateWebhookBody,
      response: WebhookWithSecretView,
      status: 201,
      errors: [404, 409, 422],
      handle: async ({ access, params, body, ctx }) => {
        const { webhook, secret } = await webhooks.create(access, { agentName: params.name, ...body });
        return { ...viewOf(ctx)(webhook), secret };
      },
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/agents/{name}/webhooks',
      summary: "The agent's webhooks (never their secrets)",
      tag: 'Webhooks',
      roles: managers,
      params: AgentWebhooksParams,
      response: WebhookList,
      errors: [404],
      handle: async ({ access, params, ctx }) => ({
        webhooks: (await webhooks.list(access, params.name)).map(viewOf(ctx)),
      }),
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/agents/{name}/webhooks/{webhook_id}',
      summary: 'One webhook (never its secret)',
      tag: 'Webhooks',
      roles: managers,
      params: WebhookParams,
      response: WebhookView,
      errors: [404],
      handle: async ({ access, params, ctx }) =>
        viewOf(ctx)(await webhooks.get(access, params.name, params.webhook_id)),
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents/{name}/webhooks/{webhook_id}/rotate',
      summary: 'Replace the webhook’s signing secret; the new one is shown once',
      description:
        'The replaced secret keeps being accepted for grace_seconds (default 86400), so the sender can ' +
        'switch without losing calls; 0 refuses it at once. A rotation drops a secret still in an earlier grace.',
      tag: 'Webhooks',
      roles: managers,
      params: WebhookParams,
      body: RotateWebhookBody,
      response: WebhookWithSecretView,
      errors: [404],
      handle: async ({ access, params, body, ctx }) => {
        const { webhook, secret } = await webhooks.rotate(access, {
          agentName: params.name,
          id: params.webhook_id,
          graceSeconds: body.grace_seconds,
        });
        return { ...viewOf(ctx)(webhook), secret };
      },
    }),
    orgRoute({
      method: 'delete',
      path: '/orgs/{slug}/agents/{name}/webhooks/{webhook_id}',
      summary: 'Delete (revoke) a webhook: its URL answers 401 from now on',
      tag: 'Webhooks',
      roles: managers,
      params: WebhookParams,
      status: 204,
      errors: [404],
      handle: async ({ access, params }) => {
        await webhooks.remove(access, params.name, params.webhook_id);
        return null;
      },
    }),
    publicRoute({
      method: 'post',
      path: inboundWebhookPath,
      summary: 'An inbound webhook call: starts a background run of the webhook’s agent; answers 202 with it',
      description:
        'No bearer token or API key: the signature is the credential. Headers: `X-Astromesh-Timestamp: ' +
        '<unix seconds>` and `X-Astromesh-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>", keyed ' +
        'with the secret>` (several `v1=` separated by commas are accepted). The body is JSON (at most 256 KiB, ' +
        'uncompressed), `payload` to the template and `context.payload` to the run. An unknown or deleted ' +
        'webhook, a wrong signature, a timestamp more than 300 s from now, or a signature already accepted ' +
        'all answer the same 401 and start nothing. A run that cannot start (429, 400 agent_not_deployed, a ' +
        'payload refused with 400/422) leaves the delivery unspent: the same signed call may be retried.',
      tag: 'Webhooks',
      params: InboundWebhookParams,
      response: BackgroundRunView,
      status: 202,
      errors: [401, 404, 413, 415, 422, 429, 503],
      handle: async ({ params, ctx }) => {
        const { webhook, run } = await webhooks.deliver({
          webhookId: params.webhook_id,
          timestamp: ctx.get('x-astromesh-timestamp'),
          signature: ctx.get('x-astromesh-signature'),
          body: (ctx.state.rawBody as Buffer | undefined) ?? Buffer.alloc(0),
          onVerified: (verified) => noteAudit(ctx, { org: { id: verified.orgId } }),
        });
        return backgroundRunViewOf(run, { slug: webhook.orgSlug ?? '', apiPrefix: deps.apiPrefix });
      },
    }),
  ];
}
