import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../api/config/api-config.ts';
import { createApi } from '../../api/create-api.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { devLogin } from '../support/dev-login.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import { startApiInProcess } from '../support/start-api-in-process.ts';
import { startApiReplica } from '../support/start-api-replica.ts';
import { startSignedInTestApi, startTestApi } from '../support/start-test-api.ts';

const bot = {
  name: 'triage-bot',
  step1: { model: 'openai/gpt-4o-mini' },
  // The payload reaches the run's context: the system prompt reads it like any context variable.
  step2: { system_prompt: 'You triage issues of {{ payload.repository }}.' },
};
const issue = { repository: 'acme/shop', issue: { title: 'Checkout is down', number: 42 } };
const nowSeconds = () => Math.floor(Date.now() / 1_000);

/** What a sender does (README: "Webhooks"), written here with node:crypto, not with the API's code. */
function signed(secret: string, body: string, timestamp = String(nowSeconds())) {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { timestamp, signature: `v1=${signature}`, body };
}

describe('inbound webhooks', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An org with triage-bot deployed on a fake OpenAI provider; the API's log captured. */
  async function setup() {
    const api = await startApiInProcess();
    cleanups.push(() => api.stop());
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    const owner = await devLogin(api.url);
    const asUser =
      (token: string, org = owner.org) =>
      (path: string, init: RequestInit = {}) =>
        fetch(`${api.url}/api/v1/orgs/${org}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
        });
    const as = asUser(owner.token);
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post(bot));
    const deploy = await as('/agents/triage-bot/deploy', post());
    expect(deploy.status, await deploy.clone().text()).toBe(200);

    const createWebhook = async (body: unknown = {}) => {
      const response = await as('/agents/triage-bot/webhooks', post(body));
      expect(response.status, await response.clone().text()).toBe(201);
      return jsonOf(response);
    };
    const deliver = (url: string, call: { timestamp: string; signature: string; body: string }) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-astromesh-timestamp': call.timestamp,
          'x-astromesh-signature': call.signature,
        },
        body: call.body,
      });
    const runsOfBot = async () => (await jsonOf(await as('/agents/triage-bot/runs'))).runs as { id: string }[];
    const untilFinished = (id: string) =>
      eventually(
        async () => {
          const run = await jsonOf(await as(`/runs/${id}`));
          expect(['succeeded', 'failed', 'cancelled']).toContain(run.status);
          return run;
        },
        { timeoutMs: 30_000 },
      );
    return { api, fake, owner, as, asUser, createWebhook, deliver, runsOfBot, untilFinished };
  }

  it('shows the secret once; a signed POST answers 202 and its run gets the rendered query and the payload', async () => {
    const { api, fake, as, createWebhook, deliver, untilFinished } = await setup();
    fake.enqueue(fakeReply.text('Paged the on-call engineer.'));

    const created = await createWebhook({ name: 'github issues', template: 'New issue: {{ payload.issue.title }}' });
    const call = signed(created.secret, JSON.stringify(issue));
    const response = await deliver(created.url, call);
    const started = await jsonOf(response.clone());
    const run = await untilFinished(started.id);
    const listed = await jsonOf(await as('/agents/triage-bot/webhooks'));
    const one = await jsonOf(await as(`/agents/triage-bot/webhooks/${created.id}`));

    expect(created).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      agent: 'triage-bot',
      name: 'github issues',
      url: `${api.url}/api/v1/hooks/${created.id}`,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
      secret_prefix: `${created.secret.slice(0, 10)}...`,
      previous_secret_expires_at: null,
    });
    expect(response.status, JSON.stringify(started)).toBe(202);
    expect(started).toMatchObject({ agent: 'triage-bot', origin: { kind: 'webhook', id: created.id } });
    expect(run).toMatchObject({ status: 'succeeded', result: { answer: 'Paged the on-call engineer.' } });
    const modelRequest = JSON.stringify(fake.requests.at(-1)?.body);
    expect(modelRequest).toContain('New issue: Checkout is down');
    expect(modelRequest).toContain('You triage issues of acme/shop.');
    const { secret: _secret, ...view } = created;
    expect(listed.webhooks).toEqual([view]);
    expect(one).toEqual(listed.webhooks[0]);
    expect(JSON.stringify([listed, one])).not.toContain(created.secret.slice(10));
  });

  it('refuses a bad signature, a tampered body, an old or future timestamp, a replay and an unknown webhook with one 401, and starts no run', async () => {
    const { createWebhook, deliver, runsOfBot, untilFinished } = await setup();
    const created = await createWebhook();
    const body = JSON.stringify(issue);
    const good = signed(created.secret, body);
    const accepted = await deliver(created.url, good);
    expect(accepted.status).toBe(202);
    await untilFinished((await jsonOf(accepted)).id);

    const refusals = {
      'a wrong secret': await deliver(created.url, signed(`${created.secret}x`, body)),
      'a tampered body': await deliver(created.url, { ...good, body: body.replace('42', '43') }),
      'a re-serialised body': await deliver(created.url, { ...good, body: JSON.stringify(issue, null, 2) }),
      'no signature': await deliver(created.url, { ...good, signature: '' }),
      'a signature not hex': await deliver(created.url, { ...good, signature: 'v1=zz' }),
      'a timestamp 6 minutes old': await deliver(created.url, signed(created.secret, body, String(nowSeconds() - 360))),
      'a timestamp 6 minutes ahead': await deliver(
        created.url,
        signed(created.secret, body, String(nowSeconds() + 360)),
      ),
      'no timestamp': await deliver(created.url, { ...good, timestamp: '' }),
      'the exact call again': await deliver(created.url, good),
      'an unknown webhook': await deliver(
        created.url.replace(created.id, '00000000-0000-4000-8000-000000000000'),
        signed(created.secret, body),
      ),
      'a webhook id that is no UUID': await deliver(
        created.url.replace(created.id, 'nope'),
        signed(created.secret, body),
      ),
    };
    const answers = Object.fromEntries(
      await Promise.all(
        Object.entries(refusals).map(async ([label, response]) => [label, [response.status, await response.json()]]),
      ),
    );

    const refusal = [
      401,
      { error: 'webhook_unauthorized', message: expect.stringContaining('not a valid signed call'), status: 401 },
    ];
    for (const label of Object.keys(refusals)) expect(answers[label], label).toEqual(refusal);
    expect(new Set(Object.values(answers).map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(await runsOfBot()).toHaveLength(1);
  });

  it('accepts the replaced secret during the grace a rotation gives it, and never after a rotation with no grace', async () => {
    const { as, createWebhook, deliver, runsOfBot } = await setup();
    const created = await createWebhook();
    const body = JSON.stringify(issue);

    const graceful = await jsonOf(await as(`/agents/triage-bot/webhooks/${created.id}/rotate`, post({})));
    const oldDuringGrace = await deliver(created.url, signed(created.secret, body));
    const newOne = await deliver(created.url, signed(graceful.secret, `${body} `));
    const abrupt = await as(`/agents/triage-bot/webhooks/${created.id}/rotate`, post({ grace_seconds: 0 }));
    const latest = await jsonOf(abrupt.clone());
    const firstAfterAbrupt = await deliver(created.url, signed(created.secret, `${body}  `));
    const secondAfterAbrupt = await deliver(created.url, signed(graceful.secret, `${body}   `));
    const latestAccepted = await deliver(created.url, signed(latest.secret, `${body}    `));

    expect(graceful.secret).not.toBe(created.secret);
    expect(graceful.previous_secret_expires_at).toEqual(expect.any(String));
    const graceMs = Date.parse(graceful.previous_secret_expires_at) - Date.now();
    expect(graceMs).toBeGreaterThan(23 * 3_600_000);
    expect(graceMs).toBeLessThanOrEqual(24 * 3_600_000);
    expect(oldDuringGrace.status).toBe(202);
    expect(newOne.status).toBe(202);
    expect(abrupt.status).toBe(200);
    expect(latest.previous_secret_expires_at).toBeNull();
    expect(firstAfterAbrupt.status).toBe(401);
    expect(secondAfterAbrupt.status).toBe(401);
    expect(latestAccepted.status).toBe(202);
    expect(await runsOfBot()).toHaveLength(3);
  });

  it('refuses every call once the webhook is deleted, and forgets it', async () => {
    const { as, createWebhook, deliver, runsOfBot } = await setup();
    const created = await createWebhook();

    const deleted = await as(`/agents/triage-bot/webhooks/${created.id}`, { method: 'DELETE' });
    const call = await deliver(created.url, signed(created.secret, JSON.stringify(issue)));
    const read = await as(`/agents/triage-bot/webhooks/${created.id}`);
    const again = await as(`/agents/triage-bot/webhooks/${created.id}`, { method: 'DELETE' });

    expect(deleted.status).toBe(204);
    expect(call.status).toBe(401);
    expect(await jsonOf(call)).toMatchObject({ error: 'webhook_unauthorized' });
    expect(read.status).toBe(404);
    expect(again.status).toBe(404);
    expect(await runsOfBot()).toHaveLength(0);
  });

  it('keeps starting runs once the API key that made it is revoked: the webhook belongs to the org', async () => {
    const { fake, as, deliver, untilFinished } = await setup();
    const key = await jsonOf(await as('/keys', post({ name: 'ci', role: 'admin' })));
    const made = await as('/agents/triage-bot/webhooks', {
      ...post({ name: 'from ci' }),
      headers: { authorization: `Bearer ${key.secret}` },
    });
    expect(made.status, await made.clone().text()).toBe(201);
    const created = await jsonOf(made);
    expect((await as(`/keys/${key.id}`, { method: 'DELETE' })).status).toBe(204);
    fake.enqueue(fakeReply.text('Still triaging.'));

    const response = await deliver(created.url, signed(created.secret, JSON.stringify(issue)));

    expect(response.status, await response.clone().text()).toBe(202);
    expect(await untilFinished((await jsonOf(response)).id)).toMatchObject({
      status: 'succeeded',
      result: { answer: 'Still triaging.' },
    });
  });

  it('refuses bad input with a 4xx naming the field, and a signed call whose payload cannot be used without spending it', async () => {
    const { as, createWebhook, deliver, runsOfBot } = await setup();
    const created = await createWebhook({ template: '{{ payload.text }}' });

    const badTemplate = await as('/agents/triage-bot/webhooks', post({ template: '{% if %}' }));
    const unknownField = await as('/agents/triage-bot/webhooks', post({ secret: 'mine' }));
    const noAgent = await as('/agents/no-such-bot/webhooks', post({}));
    const badGrace = await as(`/agents/triage-bot/webhooks/${created.id}/rotate`, post({ grace_seconds: -1 }));
    const notJson = await deliver(created.url, signed(created.secret, 'text=hello'));
    const emptyQuery = await deliver(created.url, signed(created.secret, '{"other":1}'));
    const tooLarge = await deliver(created.url, signed(created.secret, JSON.stringify({ text: 'x'.repeat(300_000) })));
    const fixedPayload = signed(created.secret, '{"text":"hello"}');
    const first = await deliver(created.url, fixedPayload);

    expect([badTemplate.status, (await jsonOf(badTemplate)).message]).toEqual([
      422,
      expect.stringMatching(/^template: /),
    ]);
    expect([unknownField.status, (await jsonOf(unknownField)).message]).toEqual([400, expect.stringMatching(/secret/)]);
    expect(noAgent.status).toBe(404);
    expect([badGrace.status, (await jsonOf(badGrace)).message]).toEqual([
      400,
      expect.stringMatching(/^grace_seconds: /),
    ]);
    expect([notJson.status, (await jsonOf(notJson)).message]).toEqual([
      400,
      expect.stringMatching(/^body: not valid JSON/),
    ]);
    expect([emptyQuery.status, (await jsonOf(emptyQuery)).message]).toEqual([
      422,
      'template: rendered an empty query from this payload',
    ]);
    expect(tooLarge.status).toBe(413);
    expect(first.status).toBe(202);
    expect(await runsOfBot()).toHaveLength(1);
  });

  it('lets only owners and admins of its org manage it', async () => {
    const { api, asUser, createWebhook, owner } = await setup();
    const created = await createWebhook();
    const stranger = await devLogin(api.url);
    const asStranger = asUser(stranger.token, owner.org);
    const paths = [
      ['GET', '/agents/triage-bot/webhooks'],
      ['POST', '/agents/triage-bot/webhooks'],
      ['GET', `/agents/triage-bot/webhooks/${created.id}`],
      ['POST', `/agents/triage-bot/webhooks/${created.id}/rotate`],
      ['DELETE', `/agents/triage-bot/webhooks/${created.id}`],
    ] as const;

    const statuses = [];
    for (const [method, path] of paths) {
      const response = await asStranger(path, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      statuses.push(`${method} ${path.replace(created.id, '{id}')}: ${response.status}`);
      expect(await response.text()).not.toContain(created.secret_prefix);
    }
    const stillThere = await asUser(owner.token)(`/agents/triage-bot/webhooks/${created.id}`);

    expect(statuses).toEqual(paths.map(([method, path]) => `${method} ${path.replace(created.id, '{id}')}: 403`));
    expect(stillThere.status).toBe(200);
  });

  it('never writes a secret to the log or the audit log, and audits create, rotate, delivery and delete', async () => {
    const { api, as, createWebhook, deliver, untilFinished } = await setup();
    const created = await createWebhook({ name: 'audited' });
    const rotated = await jsonOf(await as(`/agents/triage-bot/webhooks/${created.id}/rotate`, post({})));
    const delivered = await deliver(created.url, signed(rotated.secret, JSON.stringify(issue)));
    const refused = await deliver(created.url, signed('whsec_guess', JSON.stringify(issue)));
    const run = await untilFinished((await jsonOf(delivered)).id);
    await as(`/agents/triage-bot/webhooks/${created.id}`, { method: 'DELETE' });

    const audit = await eventually(async () => {
      const page = await jsonOf(await as('/audit?limit=100'));
      const actions = page.entries.map((entry: { action: string }) => entry.action);
      expect(actions.filter((action: string) => action.startsWith('webhook.'))).toHaveLength(4);
      return page;
    });
    const webhookEntries = audit.entries
      .filter((entry: { action: string }) => entry.action.startsWith('webhook.'))
      .map((entry: { action: string; target: string; status: number }) => [entry.action, entry.target, entry.status]);
    const everything = JSON.stringify([api.logs(), audit]);

    expect(refused.status).toBe(401);
    // Entries are written in batches after their answers, so their order is not the calls' order.
    expect(webhookEntries.sort()).toEqual([
      ['webhook.create', created.id, 201],
      ['webhook.delete', created.id, 204],
      ['webhook.deliver', created.id, 202],
      ['webhook.rotate', created.id, 200],
    ]);
    expect(audit.entries).toContainEqual(
      expect.objectContaining({ action: 'webhook.deliver', summary: { agent: 'triage-bot', run_id: run.id } }),
    );
    for (const secret of [created.secret, rotated.secret]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice(10));
    }
  });

  it('takes the README’s openssl + curl example as it is written', async () => {
    const { createWebhook, untilFinished } = await setup();
    const created = await createWebhook();

    // The README's commands, with the URL and secret of this webhook.
    const script = [
      'BODY=\'{"repository":"acme/shop","issue":{"title":"Checkout is down"}}\'',
      'TS=$(date +%s)',
      'SIG=$(printf \'%s.%s\' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d\' \' -f1)',
      'curl -s -X POST "$URL" -H \'content-type: application/json\' \\',
      '  -H "X-Astromesh-Timestamp: $TS" -H "X-Astromesh-Signature: v1=$SIG" --data-binary "$BODY"',
    ].join('\n');
    // Asynchronously: the API answering curl runs in this process.
    const { stdout } = await promisify(execFile)('sh', ['-c', script], {
      env: { ...process.env, URL: created.url, SECRET: created.secret },
      encoding: 'utf8',
    });
    const started = JSON.parse(stdout);
    const run = await untilFinished(started.id);

    expect(started).toMatchObject({ origin: { kind: 'webhook', id: created.id } });
    expect(run.status).toBe('succeeded');
  });
  it('keeps working across a master-key rotation: secrets are resealed under the new key, then the old key can go', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const api = await startTestApi({ env: { ASTROMESH_MASTER_KEY: oldKey, ASTROMESH_MASTER_KEY_ID: 'k1' } });
    cleanups.push(() => api.stop());
    const { as } = await api.signIn();
    await as('/agents', post(bot));
    const created = await jsonOf(await as('/agents/triage-bot/webhooks', post({})));
    const rotated = await jsonOf(await as(`/agents/triage-bot/webhooks/${created.id}/rotate`, post({})));
    const newKey = randomBytes(32).toString('base64');
    /** The API restarted on the same database with another master-key configuration. */
    const restartWith = (env: Record<string, string>) => {
      const config = loadApiConfig({
        ASTROMESH_STATE_DIR: api.stateDir,
        ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
        ...env,
      });
      const restarted = createApi({
        config,
        db: api.db,
        backend: api.api.backend,
        log: pino({ level: 'silent' }),
        now: () => new Date(),
      });
      cleanups.push(() => restarted.close());
      return restarted;
    };
    // A verified call of a draft agent is refused by the run (400 agent_not_deployed), after the signature.
    const outcomeOf = (restarted: ReturnType<typeof restartWith>, secret: string) => {
      const call = signed(secret, JSON.stringify(issue));
      return restarted.services.webhooks
        .deliver({
          webhookId: created.id,
          timestamp: call.timestamp,
          signature: call.signature,
          body: Buffer.from(call.body),
        })
        .then(
          () => 'started',
          (err: { code?: string }) => err.code,
        );
    };

    const beforeReseal = restartWith({ ASTROMESH_MASTER_KEY: newKey, ASTROMESH_MASTER_KEY_ID: 'k2' });
    const refusedBeforeReseal = await outcomeOf(beforeReseal, rotated.secret);
    const rotating = restartWith({
      ASTROMESH_MASTER_KEY: newKey,
      ASTROMESH_MASTER_KEY_ID: 'k2',
      ASTROMESH_PREVIOUS_MASTER_KEYS: `k1:${oldKey}`,
    });
    const report = await rotating.services.webhooks.resealSecrets();
    const secondReport = await rotating.services.webhooks.resealSecrets();
    const newKeyOnly = restartWith({ ASTROMESH_MASTER_KEY: newKey, ASTROMESH_MASTER_KEY_ID: 'k2' });

    expect(refusedBeforeReseal).toBe('webhook_unauthorized');
    expect(report).toEqual({ resealed: 2, unreadable: [] });
    expect(secondReport).toEqual({ resealed: 0, unreadable: [] });
    expect(await outcomeOf(newKeyOnly, rotated.secret)).toBe('agent_not_deployed');
    expect(await outcomeOf(newKeyOnly, created.secret)).toBe('agent_not_deployed');
  });
  it('starts one run for a delivery that reaches two API replicas ten times at once', async () => {
    const env = {
      ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
      ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
    };
    const { api, as } = await startSignedInTestApi((stop) => cleanups.push(stop), { env });
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post(bot));
    expect((await as('/agents/triage-bot/deploy', post())).status).toBe(200);
    const created = await jsonOf(await as('/agents/triage-bot/webhooks', post({})));
    const replica = await startApiReplica(api, env);
    cleanups.push(() => replica.stop());
    const call = signed(created.secret, JSON.stringify(issue));
    const path = new URL(created.url).pathname;

    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`${i % 2 === 0 ? api.url : replica.url}${path}`, {
          method: 'POST',
          headers: { 'x-astromesh-timestamp': call.timestamp, 'x-astromesh-signature': call.signature },
          body: call.body,
        }).then((response) => response.status),
      ),
    );
    const runs = (await jsonOf(await as('/agents/triage-bot/runs'))).runs;

    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(9);
    expect(runs).toHaveLength(1);
  });
});
