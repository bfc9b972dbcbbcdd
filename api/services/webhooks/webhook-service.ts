import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createSafeTemplateEngine } from '../../../runtime/config/safe-template-engine.ts';
import { RunRequest } from '../../../runtime/engine/run-request.ts';
import { InputRefused } from '../../../runtime/input/input-refused.ts';
import { parseJsonInput } from '../../../runtime/input/parse-json-input.ts';
import type { Database } from '../../db/database.ts';
import { AppError, Conflict, InvalidInput, NotFound } from '../../errors.ts';
import type { OrgAccess, Principal } from '../../http/principal.ts';
import { findAgent } from '../../stores/agents-store.ts';
import type { BackgroundRunRecord } from '../../stores/background-runs-store.ts';
import {
  countWebhooks,
  deleteWebhook,
  findWebhook,
  findWebhookForDelivery,
  forgetSignature,
  insertWebhook,
  listWebhooks,
  markSignatureSeen,
  rotateWebhookSecret,
  type WebhookCreator,
  type WebhookRecord,
} from '../../stores/webhooks-store.ts';
import type { BackgroundRunService } from '../background-runs/background-run-service.ts';
import { type MasterKeyRing, SecretUnreadable } from '../seal-secret.ts';
import { resealWebhookSecrets } from './reseal-webhook-secrets.ts';
import { openWebhookSecret, sealWebhookSecret } from './webhook-secret-seal.ts';
import { matchingSignature, newWebhookSecret, signaturesOf, webhookSecretPrefixOf } from './webhook-signature.ts';

/** How far a call's timestamp may be from the API's clock, either way (README: "Webhooks"). */
export const replayWindowSeconds = 300;
/** How long a rotated-out secret keeps working unless the rotation says otherwise. */
export const defaultRotationGraceSeconds = 24 * 60 * 60;
export const defaultWebhookTemplate = 'Webhook {{ webhook.name }} received:\n{{ payload | json }}';
const maxWebhooksPerAgent = 10;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const timestampPattern = /^[0-9]{1,12}$/;

/**
 * One answer for every refused inbound call: an unknown or deleted webhook, a missing or wrong
 * signature, a timestamp outside the window, a replay. Telling them apart would tell a prober
 * which webhook ids exist and how close a guess came.
 */
export class WebhookCallRefused extends AppError {
  constructor() {
    super(
      'webhook_unauthorized',
      401,
      'not a valid signed call of an active webhook: check the URL, the secret, X-Astromesh-Timestamp ' +
        `(within ${replayWindowSeconds} s of now) and X-Astromesh-Signature, and sign each delivery once`,
    );
  }
}

const templates = createSafeTemplateEngine();

function parseTemplate(template: string) {
  try {
    return templates.parse(template);
  } catch (err) {
    // 422 as for an agent's system_prompt: the body is well-formed, its template is not.
    throw new InvalidInput(`template: not a valid Liquid template (${(err as Error).message.split('\n')[0]})`, 422);
  }
}

/** What a manager creates or rotates: the record, and the secret in clear this once. */
export interface WebhookWithSecret {
  webhook: WebhookRecord;
  secret: string;
}

/**
 * Inbound webhooks (issue 16, item 6): owners and admins create one per agent and get a URL and a
 * signing secret; a POST to the URL signed with it (HMAC-SHA256 over `<timestamp>.<raw body>`)
 * starts a background run whose query a Liquid template renders from the payload.
 */
export function createWebhookService(deps: {
  db: Database;
  backgroundRuns: Pick<BackgroundRunService, 'start'>;
  masterKeys: MasterKeyRing;
  now: () => Date;
  log: Logger;
}) {
  const { db } = deps;
  const log = deps.log.child({ component: 'webhooks' });

  async function requireAgent(access: OrgAccess, agentName: string) {
    const agent = await findAgent(db, { orgId: access.orgId, name: agentName });
    if (!agent) throw new NotFound(`agent '${agentName}'`);
  }

  async function webhookOf(access: OrgAccess, agentName: string, id: string): Promise<WebhookRecord> {
    const webhook = uuidPattern.test(id) ? await findWebhook(db, { orgId: access.orgId, agentName, id }) : undefined;
    if (!webhook) throw new NotFound(`webhook '${id}'`);
    return webhook;
  }

  function openSecretsOf(webhook: WebhookRecord): string[] {
    const seals = [webhook.seal, ...(webhook.previous ? [webhook.previous.seal] : [])];
    return seals.map((seal) => openWebhookSecret({ id: webhook.id, orgId: webhook.orgId, seal }, deps.masterKeys));
  }

  /** The webhook and the signature it accepts, or WebhookCallRefused. */
  async function verify(call: { webhookId: string; timestamp: string; signature: string; body: Buffer }) {
    const webhook = uuidPattern.test(call.webhookId) ? await findWebhookForDelivery(db, call.webhookId) : undefined;
    if (!webhook || !timestampPattern.test(call.timestamp)) throw new WebhookCallRefused();
    const signedAtSeconds = Number(call.timestamp);
    const nowSeconds = Math.floor(deps.now().getTime() / 1_000);
    if (Math.abs(nowSeconds - signedAtSeconds) > replayWindowSeconds) throw new WebhookCallRefused();
    let secrets: string[];
    try {
      secrets = openSecretsOf(webhook);
    } catch (err) {
      if (!(err instanceof SecretUnreadable)) throw err;
      // An operator's problem (a master key dropped from the configuration), not the caller's.
      log.error({ webhookId: webhook.id, reason: err.message }, 'webhook secret cannot be opened');
      throw new WebhookCallRefused();
    }
    const signature = matchingSignature({
      secrets,
      timestamp: call.timestamp,
      body: call.body,
      signatures: signaturesOf(call.signature),
    });
    if (!signature) throw new WebhookCallRefused();
    const isFirstTime = await markSignatureSeen(db, {
      webhookId: webhook.id,
      signature,
      expiresAt: new Date((signedAtSeconds + replayWindowSeconds) * 1_000),
      now: deps.now(),
    });
    if (!isFirstTime) throw new WebhookCallRefused();
    return { webhook, signature };
  }

  /** The run request a verified payload maps to: the rendered query, the payload as `context.payload`. */
  async function runRequestOf(webhook: WebhookRecord, body: Buffer): Promise<RunRequest> {
    let payload: unknown;
    try {
      payload = parseJsonInput(body.toString('utf8'), 'body');
    } catch (err) {
      if (err instanceof InputRefused) throw new InvalidInput(err.message);
      throw err;
    }
    let query: string;
    try {
      query = await templates.render(parseTemplate(webhook.template), {
        payload,
        webhook: { id: webhook.id, name: webhook.name, agent: webhook.agentName },
      });
    } catch (err) {
      if (err instanceof InvalidInput) throw err;
      throw new InvalidInput(`template: rendering failed (${(err as Error).message.split('\n')[0]})`, 422);
    }
    if (query.trim() === '') throw new InvalidInput('template: rendered an empty query from this payload', 422);
    const request = RunRequest.safeParse({ query, context: { payload } });
    if (!request.success) {
      const issue = request.error.issues[0];
      const field = issue?.path.join('.') || 'body';
      throw new InvalidInput(`${field === 'context.payload' ? 'body' : field}: ${issue?.message ?? 'invalid'}`, 422);
    }
    return request.data;
  }

  return {
    /** See resealWebhookSecrets: main calls it at startup, after a master-key rotation. */
    resealSecrets: () => resealWebhookSecrets({ db, keys: deps.masterKeys }),

    async create(
      access: OrgAccess,
      input: { agentName: string; name?: string; template?: string },
    ): Promise<WebhookWithSecret> {
      await requireAgent(access, input.agentName);
      const template = input.template ?? defaultWebhookTemplate;
      parseTemplate(template);
      if ((await countWebhooks(db, { orgId: access.orgId, agentName: input.agentName })) >= maxWebhooksPerAgent) {
        throw new Conflict(
          'webhook_limit_reached',
          `agent '${input.agentName}' has ${maxWebhooksPerAgent} webhooks already; delete one first`,
        );
      }
      const id = randomUUID();
      const secret = newWebhookSecret();
      const webhook = await insertWebhook(db, {
        id,
        orgId: access.orgId,
        agentName: input.agentName,
        name: input.name ?? input.agentName,
        template,
        seal: sealWebhookSecret({ id, orgId: access.orgId, secret, keys: deps.masterKeys }),
        secretPrefix: webhookSecretPrefixOf(secret),
        createdBy: creatorOf(access.principal),
      });
      return { webhook, secret };
    },

    async list(access: OrgAccess, agentName: string): Promise<WebhookRecord[]> {
      await requireAgent(access, agentName);
      return listWebhooks(db, { orgId: access.orgId, agentName });
    },

    get: webhookOf,

    async rotate(
      access: OrgAccess,
      input: { agentName: string; id: string; graceSeconds: number },
    ): Promise<WebhookWithSecret> {
      const current = await webhookOf(access, input.agentName, input.id);
      const secret = newWebhookSecret();
      const webhook = await rotateWebhookSecret(db, {
        orgId: access.orgId,
        agentName: input.agentName,
        id: current.id,
        seal: sealWebhookSecret({ id: current.id, orgId: access.orgId, secret, keys: deps.masterKeys }),
        secretPrefix: webhookSecretPrefixOf(secret),
        graceSeconds: input.graceSeconds,
      });
      if (!webhook) throw new NotFound(`webhook '${input.id}'`);
      return { webhook, secret };
    },

    async remove(access: OrgAccess, agentName: string, id: string): Promise<void> {
      const isDeleted = uuidPattern.test(id) && (await deleteWebhook(db, { orgId: access.orgId, agentName, id }));
      if (!isDeleted) throw new NotFound(`webhook '${id}'`);
    },

    /**
     * An inbound call: verified (else WebhookCallRefused, and nothing else happens), then its
     * payload mapped to a run request and a background run started as the webhook's creator.
     * `onVerified` learns the webhook first, so the audit entry names its org even when the
     * payload is then refused.
     */
    async deliver(call: {
      webhookId: string;
      timestamp: string;
      signature: string;
      body: Buffer;
      onVerified?: (webhook: WebhookRecord) => void;
    }): Promise<{ webhook: WebhookRecord; run: BackgroundRunRecord }> {
      const { webhook, signature } = await verify(call);
      call.onVerified?.(webhook);
      try {
        const request = await runRequestOf(webhook, call.body);
        const run = await deps.backgroundRuns.start({
          access: accessOf(webhook),
          agentName: webhook.agentName,
          request,
          origin: { kind: 'webhook', id: webhook.id },
        });
        return { webhook, run };
      } catch (err) {
        // Not started (a bad payload, the day's runs used up, the agent paused): the sender may
        // retry this very delivery once the cause is fixed, so its signature is not spent.
        await forgetSignature(db, { webhookId: webhook.id, signature });
        throw err;
      }
    },
  };
}
export type WebhookService = ReturnType<typeof createWebhookService>;

function creatorOf(principal: Principal): WebhookCreator {
  return principal.kind === 'api_key'
    ? { kind: 'api_key', id: principal.keyId }
    : { kind: 'user', id: principal.userId };
}

/**
 * The access a webhook's runs execute with: its creator's, as a member (a run needs no more). An
 * API key creator's runs count against that key's limits; a user's against the org's alone.
 */
function accessOf(webhook: WebhookRecord): OrgAccess {
  const orgSlug = webhook.orgSlug ?? '';
  const principal: Principal =
    webhook.createdBy.kind === 'api_key'
      ? { kind: 'api_key', keyId: webhook.createdBy.id, orgId: webhook.orgId, orgSlug, role: 'member' }
      : // No session: nothing a run does reads one (sessions matter to requests, not to runs).
        { kind: 'user', userId: webhook.createdBy.id, sessionId: '', email: '', loginOrgSlug: orgSlug };
  return { principal, orgId: webhook.orgId, orgSlug, role: 'member' };
}
