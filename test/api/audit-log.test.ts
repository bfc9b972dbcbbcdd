import { createHmac, randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { auditActions } from '../../api/http/audit-actions.ts';
import { createAuditService } from '../../api/services/audit-service.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aMemberOf } from '../support/a-member-of.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import { startSignedInTestApi, startTestApi, type TestApi } from '../support/start-test-api.ts';
import { websocketUpgradeAnswer } from '../support/websocket-upgrade-answer.ts';

const mutating = new Set(['post', 'put', 'patch', 'delete']);
const json = (method: string, body?: unknown): RequestInit => ({
  method,
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

interface AuditRow {
  action: string;
  method: string;
  route: string;
  status: number;
  actor_kind: string;
  actor_id: string | null;
  org_id: string | null;
  target: string | null;
  summary: Record<string, unknown>;
  source_ip: string | null;
}

async function entriesOf(api: TestApi, requestId: string | null): Promise<AuditRow[]> {
  await api.api.services.audit.settled();
  const { rows } = await api.db.query<AuditRow>('SELECT * FROM audit_log WHERE request_id = $1', [requestId]);
  return rows;
}

async function orgIdOf(api: TestApi, slug: string): Promise<string> {
  const { rows } = await api.db.query<{ id: string }>('SELECT id FROM orgs WHERE slug = $1', [slug]);
  return rows[0]?.id as string;
}

describe('the audit log', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('records exactly one entry for a valid call of every mutating route of the registry, and no secret anywhere', async () => {
    const api = await startTestApi();
    cleanups.push(() => api.stop());
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    const secrets: string[] = [];
    const keep = (secret: string) => {
      secrets.push(secret);
      return secret;
    };
    const providerKey = keep(`sk-provider-${randomBytes(12).toString('hex')}`);
    const password = keep(`password-${randomBytes(12).toString('hex')}`);
    const mcpToken = keep(`mcp-token-${randomBytes(12).toString('hex')}`);
    const state = { token: '', refreshToken: '', org: '', keyId: '', runId: '', scheduleId: '' };
    const hook = { id: '', url: '', secret: '' };
    const asOwner = (path: string, init: RequestInit) =>
      api.request(`/orgs/${state.org}${path}`, { ...init, token: state.token });
    const bot = {
      name: 'support-bot',
      step1: { model: 'openai/gpt-4o-mini' },
      step2: { system_prompt: 'You help.' },
      password,
    };
    // One valid call per mutating route, in an order that makes each valid ('METHOD /path' as the
    // registry writes it). Routes not (yet) in the registry are skipped; a registry route missing
    // here fails the test below.
    const calls: [string, () => Promise<Response>][] = [
      [
        'POST /auth/dev/login',
        async () => {
          const response = await api.request('/auth/dev/login', post({ email: 'audit@example.com', password }));
          const body = await jsonOf(response.clone());
          Object.assign(state, {
            token: keep(body.access_token),
            refreshToken: keep(body.refresh_token),
            org: body.org_slug,
          });
          return response;
        },
      ],
      [
        'POST /auth/refresh',
        async () => {
          const response = await api.request('/auth/refresh', post({ refresh_token: state.refreshToken }));
          const body = await jsonOf(response.clone());
          Object.assign(state, { token: keep(body.access_token), refreshToken: keep(body.refresh_token) });
          return response;
        },
      ],
      ['PATCH /orgs/{slug}', () => asOwner('', json('PATCH', { display_name: 'Audited', password }))],
      [
        'POST /orgs/{slug}/members/invite',
        () => asOwner('/members/invite', post({ email: 'invited@example.com', role: 'admin' })),
      ],
      [
        'POST /orgs/{slug}/providers',
        () => asOwner('/providers', post({ provider: 'openai', api_key: providerKey, base_url: fake.baseUrl })),
      ],
      ['POST /orgs/{slug}/agents/compile', () => asOwner('/agents/compile', post(bot))],
      ['POST /orgs/{slug}/agents', () => asOwner('/agents', post(bot))],
      ['POST /orgs/{slug}/agents/{name}/deploy', () => asOwner('/agents/support-bot/deploy', post())],
      [
        'PUT /orgs/{slug}/agents/{name}/limits',
        () => asOwner('/agents/support-bot/limits', json('PUT', { daily_runs: 100, daily_tokens: null })),
      ],
      [
        'PUT /orgs/{slug}/budgets/monthly-spend',
        () => asOwner('/budgets/monthly-spend', json('PUT', { limit_usd: 25 })),
      ],
      ['POST /orgs/{slug}/agents/{name}/pause', () => asOwner('/agents/support-bot/pause', post())],
      [
        'PUT /orgs/{slug}/agents/{name}',
        () => asOwner('/agents/support-bot', json('PUT', { step2: { system_prompt: 'You help a lot.' }, password })),
      ],
      ['POST /orgs/{slug}/agents/{name}/deploy', () => asOwner('/agents/support-bot/deploy', post())],
      ['POST /orgs/{slug}/agents/{name}/rollback', () => asOwner('/agents/support-bot/rollback', post({ version: 1 }))],
      ['POST /orgs/{slug}/agents/{name}/run', () => asOwner('/agents/support-bot/run', post({ query: 'Hello' }))],
      ['POST /orgs/{slug}/agents/{name}/test', () => asOwner('/agents/support-bot/test', post({ query: 'Hello' }))],
      [
        'POST /orgs/{slug}/a2a/{name}',
        () =>
          asOwner(
            '/a2a/support-bot',
            post({
              jsonrpc: '2.0',
              id: 1,
              method: 'SendMessage',
              params: { message: { messageId: 'm1', parts: [{ text: 'Hello' }] } },
            }),
          ),
      ],
      [
        'POST /orgs/{slug}/v1/chat/completions',
        () =>
          asOwner(
            '/v1/chat/completions',
            post({ model: 'support-bot', messages: [{ role: 'user', content: 'Hello' }] }),
          ),
      ],
      [
        'POST /orgs/{slug}/mcp',
        () =>
          asOwner('/mcp', {
            ...post({
              jsonrpc: '2.0',
              id: 1,
              method: 'tools/call',
              params: { name: 'support-bot', arguments: { query: 'Hello' } },
            }),
            headers: { accept: 'application/json, text/event-stream' },
          }),
      ],
      [
        'POST /orgs/{slug}/agents/{name}/runs',
        async () => {
          const response = await asOwner('/agents/support-bot/runs', post({ query: 'Hello' }));
          state.runId = (await jsonOf(response.clone())).id;
          return response;
        },
      ],
      ['POST /orgs/{slug}/runs/{run_id}/cancel', () => asOwner(`/runs/${state.runId}/cancel`, post())],
      [
        'POST /orgs/{slug}/agents/{name}/schedules',
        async () => {
          const response = await asOwner(
            '/agents/support-bot/schedules',
            post({ cron: '0 9 * * *', input: { query: 'Hello' } }),
          );
          state.scheduleId = (await jsonOf(response.clone())).id;
          return response;
        },
      ],
      [
        'PATCH /orgs/{slug}/agents/{name}/schedules/{schedule_id}',
        () => asOwner(`/agents/support-bot/schedules/${state.scheduleId}`, json('PATCH', { enabled: false })),
      ],
      [
        'DELETE /orgs/{slug}/agents/{name}/schedules/{schedule_id}',
        () => asOwner(`/agents/support-bot/schedules/${state.scheduleId}`, json('DELETE')),
      ],
      [
        'POST /orgs/{slug}/agents/{name}/webhooks',
        async () => {
          const response = await asOwner('/agents/support-bot/webhooks', post({ name: 'ci' }));
          Object.assign(hook, await jsonOf(response.clone()));
          keep(hook.secret);
          return response;
        },
      ],
      [
        'POST /hooks/{webhook_id}',
        () => {
          const body = JSON.stringify({ text: 'Hello', password });
          const timestamp = String(Math.floor(Date.now() / 1_000));
          const signature = createHmac('sha256', hook.secret).update(`${timestamp}.${body}`).digest('hex');
          return fetch(hook.url, {
            method: 'POST',
            headers: { 'x-astromesh-timestamp': timestamp, 'x-astromesh-signature': `v1=${signature}` },
            body,
          });
        },
      ],
      [
        'POST /orgs/{slug}/agents/{name}/webhooks/{webhook_id}/rotate',
        async () => {
          const response = await asOwner(`/agents/support-bot/webhooks/${hook.id}/rotate`, post({ grace_seconds: 0 }));
          keep((await jsonOf(response.clone())).secret);
          return response;
        },
      ],
      [
        'DELETE /orgs/{slug}/agents/{name}/webhooks/{webhook_id}',
        () => asOwner(`/agents/support-bot/webhooks/${hook.id}`, json('DELETE')),
      ],
      ['POST /orgs/{slug}/agents/{name}/pause', () => asOwner('/agents/support-bot/pause', post())],
      [
        'POST /orgs/{slug}/keys',
        async () => {
          const response = await asOwner('/keys', post({ name: 'ci', role: 'member', password }));
          const body = await jsonOf(response.clone());
          keep(body.secret);
          state.keyId = body.id;
          return response;
        },
      ],
      [
        'PUT /orgs/{slug}/keys/{key_id}/limits',
        () => asOwner(`/keys/${state.keyId}/limits`, json('PUT', { daily_runs: null, daily_tokens: 50_000 })),
      ],
      ['DELETE /orgs/{slug}/keys/{key_id}', () => asOwner(`/keys/${state.keyId}`, json('DELETE'))],
      ['DELETE /orgs/{slug}/agents/{name}', () => asOwner('/agents/support-bot', json('DELETE'))],
      ['DELETE /orgs/{slug}/providers/{provider}', () => asOwner('/providers/openai', json('DELETE'))],
      [
        'PUT /orgs/{slug}/mcp-servers/{server}',
        () =>
          asOwner('/mcp-servers/order-desk', json('PUT', { url: 'https://orders.example.com/mcp', token: mcpToken })),
      ],
      ['DELETE /orgs/{slug}/mcp-servers/{server}', () => asOwner('/mcp-servers/order-desk', json('DELETE'))],
      ['POST /auth/google', () => api.request('/auth/google', post({}))],
      ['POST /auth/github', () => api.request('/auth/github', post({}))],
      ['POST /auth/logout', () => api.request('/auth/logout', { method: 'POST', token: state.token })],
    ];
    // Sign-in routes answer as configured (501 when not): recorded either way, status as answered.
    const anyStatus = new Set(['POST /auth/google', 'POST /auth/github']);
    const registry = api.api.routes
      .filter((route) => mutating.has(route.method))
      .map((route) => `${route.method.toUpperCase()} ${route.path}`);

    expect(registry.filter((route) => !calls.some(([called]) => called === route))).toEqual([]);
    expect(registry.filter((route) => !auditActions[route])).toEqual([]);
    for (const [route, call] of calls) {
      if (!registry.includes(route)) continue;
      const response = await call();
      if (!anyStatus.has(route))
        expect(response.status, `${route}: ${await response.clone().text()}`).toBeLessThan(300);
      const entries = await entriesOf(api, response.headers.get('x-request-id'));

      expect(entries, route).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        action: auditActions[route]?.action,
        method: route.split(' ')[0],
        route: `/api/v1${route.split(' ')[1]}`,
        status: response.status,
        source_ip: expect.stringMatching(/127\.0\.0\.1/),
      });
    }
    const { rows } = await api.db.query<{ text: string }>(
      "SELECT coalesce(string_agg(a::text, ' '), '') AS text FROM audit_log a",
    );
    const whole = rows[0]?.text ?? '';
    expect(whole).toContain('agent.deploy');
    for (const secret of secrets) expect(whole).not.toContain(secret);
  });

  it('says who did what to which target, without the body, for the org to read', async () => {
    const { api, as, org, token } = await startSignedInTestApi((stop) => cleanups.push(stop));
    const created = await jsonOf(await as('/keys', post({ name: 'deployer', role: 'admin' })));

    const response = await api.request(`/orgs/${org}/providers`, {
      ...post({
        provider: 'anthropic',
        api_key: 'sk-ant-secret-value-123',
        base_url: 'https://gw.example.com/v1?key=q',
      }),
      apiKey: created.secret,
    });
    await api.api.services.audit.settled();
    const page = await jsonOf(await as('/audit?action=provider_key.save'));

    expect(response.status).toBe(200);
    expect(page.entries).toEqual([
      {
        id: expect.any(String),
        at: expect.any(String),
        actor: { kind: 'api_key', id: created.id },
        action: 'provider_key.save',
        method: 'POST',
        route: '/api/v1/orgs/{slug}/providers',
        target: 'anthropic',
        summary: { base_url_host: 'gw.example.com' },
        status: 200,
        request_id: response.headers.get('x-request-id'),
        source_ip: expect.stringMatching(/127\.0\.0\.1/),
      },
    ]);
    expect(JSON.stringify(await jsonOf(await as('/audit')))).not.toContain('sk-ant-secret-value-123');
    expect(token).toBeTruthy();
  });

  it('records a refused call once, with its status, and never the refused secret', async () => {
    const { api, as, org } = await startSignedInTestApi((stop) => cleanups.push(stop));

    const refused = await as('/providers', post({ provider: 'nope', api_key: 'sk-refused-secret-999' }));
    const anonymous = await api.request(`/orgs/${org}/agents/x/deploy`, post());
    const entries = [
      ...(await entriesOf(api, refused.headers.get('x-request-id'))),
      ...(await entriesOf(api, anonymous.headers.get('x-request-id'))),
    ];

    expect(entries).toMatchObject([
      { action: 'provider_key.save', status: 400, actor_kind: 'user', target: null, summary: {} },
      { action: 'agent.deploy', status: 401, actor_kind: 'anonymous', target: 'x', org_id: await orgIdOf(api, org) },
    ]);
    expect(JSON.stringify(entries)).not.toContain('sk-refused-secret');
  });

  it('records a revoked API key used again, over REST and over the stream, under its key and org', async () => {
    const { api, as, org } = await startSignedInTestApi((stop) => cleanups.push(stop));
    const key = await jsonOf(await as('/keys', post({ name: 'old', role: 'member' })));
    await as(`/keys/${key.id}`, { method: 'DELETE' });

    const rest = await api.request(`/orgs/${org}/agents`, { apiKey: key.secret });
    await api.api.services.audit.settled(); // its entry first: the page lists newest first
    const unknown = await api.request(`/orgs/${org}/agents`, {
      apiKey: `ask-${randomBytes(32).toString('base64url')}`,
    });
    const stream = await websocketUpgradeAnswer(
      `${api.url.replace('http', 'ws')}/api/v1/orgs/${org}/agents/bot/stream?token=${key.secret}`,
    );
    await api.api.services.audit.settled();
    const page = await jsonOf(await as('/audit?action=auth.revoked_api_key_used'));

    expect([rest.status, unknown.status, stream.status]).toEqual([401, 401, 401]);
    expect(await rest.json()).toEqual(await unknown.json());
    expect(page.entries).toMatchObject([
      { actor: { kind: 'api_key', id: key.id }, method: 'GET', route: '/api/v1/orgs/{slug}/agents/{name}/stream' },
      { actor: { kind: 'api_key', id: key.id }, method: 'GET', route: '/api/v1/orgs/{slug}/agents', status: 401 },
    ]);
    expect(await entriesOf(api, unknown.headers.get('x-request-id'))).toEqual([]);
  });

  it('records sign-in, refresh, refresh-token reuse and logout as auth events of the user and org', async () => {
    const api = await startTestApi();
    cleanups.push(() => api.stop());
    // Entries are written after each answer, so two calls in a row may land in either order: each
    // is let settle before the next, and the page (newest first) follows the calls.
    const settled = () => api.api.services.audit.settled();
    const { token, refreshToken, org } = await api.login('events@example.com');
    await settled();
    const refreshed = await jsonOf(await api.request('/auth/refresh', post({ refresh_token: refreshToken })));
    await settled();
    const reused = await api.request('/auth/refresh', post({ refresh_token: refreshToken }));
    await settled();
    const again = await api.login('events@example.com');
    await settled();
    await api.request('/auth/logout', { method: 'POST', token: again.token });
    await settled();
    const reader = await api.login('events@example.com');
    await api.api.services.audit.settled();

    const page = await jsonOf(await api.request(`/orgs/${org}/audit?limit=200`, { token: reader.token }));

    expect(reused.status).toBe(401);
    expect(refreshed.access_token).toBeTruthy();
    expect(token).toBeTruthy();
    expect(page.entries.map((entry: { action: string; status: number }) => [entry.action, entry.status])).toEqual([
      ['auth.dev_login', 200],
      ['auth.logout', 204],
      ['auth.dev_login', 200],
      ['auth.refresh_reuse_detected', 401],
      ['auth.refresh', 200],
      ['auth.dev_login', 200],
    ]);
    expect(new Set(page.entries.map((entry: { actor: { kind: string } }) => entry.actor.kind))).toEqual(
      new Set(['user']),
    );
  });

  it('answers owners and admins, refuses members, and never shows another org', async () => {
    const { api, as, org, token } = await startSignedInTestApi((stop) => cleanups.push(stop));
    const admin = await aMemberOf(api, { org, ownerToken: token, role: 'admin' });
    const member = await aMemberOf(api, { org, ownerToken: token, role: 'member' });
    const other = await api.signIn();
    // The sign-in's entry settles before the next call: entries are written after the answer.
    await api.api.services.audit.settled();
    await other.as('', json('PATCH', { display_name: 'Other org' }));
    await api.api.services.audit.settled();

    const asAdmin = await api.request(`/orgs/${org}/audit`, { token: admin.token });
    const asMember = await api.request(`/orgs/${org}/audit`, { token: member.token });
    const intoOther = await as('/audit').then(jsonOf);
    const stranger = await api.request(`/orgs/${other.org}/audit`, { token });

    expect(asAdmin.status).toBe(200);
    expect(asMember.status).toBe(403);
    expect(stranger.status).toBe(403);
    expect(JSON.stringify(intoOther)).not.toContain('Other org');
    expect((await jsonOf(await other.as('/audit'))).entries.map((entry: { action: string }) => entry.action)).toEqual([
      'org.update',
      'auth.dev_login',
    ]);
  });

  it('filters by actor, action and time, and pages with the cursor of each page to the end', async () => {
    const { api, as, org } = await startSignedInTestApi((stop) => cleanups.push(stop));
    // Ids cross from two digits to three on the way: pages must follow numbers, not their text.
    await api.db.query("SELECT setval('audit_log_id_seq', 97)");
    // Each entry settles before the next call: entries are written after the answer, in either
    // order for calls back to back.
    for (const name of ['One', 'Two', 'Three', 'Four', 'Five']) {
      await as('', json('PATCH', { display_name: name }));
      await api.api.services.audit.settled();
    }
    const all = (await jsonOf(await as('/audit?limit=200'))).entries as {
      id: string;
      at: string;
      actor: { id: string };
    }[];

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page = await jsonOf(await as(`/audit?action=org.update&limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      pages.push(page.entries.map((entry: { summary: { display_name: string } }) => entry.summary.display_name));
      cursor = page.next_cursor;
    } while (cursor);
    const byActor = await jsonOf(await as(`/audit?actor=${all[0]?.actor.id}&limit=200`));
    const byOtherActor = await jsonOf(await as('/audit?actor=key_nobody'));
    const future = await jsonOf(await as(`/audit?from=${new Date(Date.now() + 60_000).toISOString()}`));
    const past = await jsonOf(await as(`/audit?to=${encodeURIComponent(all.at(-1)?.at ?? '')}`));
    const badCursor = await as('/audit?cursor=bm90LWEtY3Vyc29y');
    const pastBigint = await as('/audit?cursor=9223372036854775808');
    const badLimit = await as('/audit?limit=201');

    expect(pages).toEqual([['Five', 'Four'], ['Three', 'Two'], ['One']]);
    expect(byActor.entries).toHaveLength(all.length);
    expect(byOtherActor.entries).toEqual([]);
    expect(future.entries).toEqual([]);
    expect(past.entries).toEqual([]);
    expect(await jsonOf(badCursor)).toMatchObject({ status: 400, message: expect.stringMatching(/^cursor: /) });
    expect(await jsonOf(pastBigint)).toMatchObject({ status: 400, message: expect.stringMatching(/^cursor: /) });
    expect(await jsonOf(badLimit)).toMatchObject({ status: 400, message: expect.stringMatching(/^limit: /) });
    expect(org).toBeTruthy();
  });

  it('answers a change that worked when its entry cannot be written, and logs the whole entry as lost', async () => {
    const { api, as, org } = await startSignedInTestApi((stop) => cleanups.push(stop));
    // Every new row now breaks a constraint: the insert fails as a full disk or a lost grant would.
    await api.db.query('ALTER TABLE audit_log ADD CONSTRAINT refuse_new_entries CHECK (false) NOT VALID');
    const lines: string[] = [];
    const audit = createAuditService({
      db: api.db,
      retentionDays: 365,
      log: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }),
    });

    const response = await as('', json('PATCH', { display_name: 'Changed anyway' }));
    audit.record({ actor: { kind: 'anonymous' }, action: 'auth.refresh', status: 401, org: { slug: org } });
    await audit.settled();

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toMatchObject({ display_name: 'Changed anyway' });
    expect(await entriesOf(api, response.headers.get('x-request-id'))).toEqual([]);
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { level: 50, msg: 'audit entry lost: it could not be written', entry: { action: 'auth.refresh', status: 401 } },
    ]);
  });

  it('is append-only: updates, deletes and truncation are refused; the sweep deletes only what is past retention', async () => {
    const api = await startTestApi({ env: { ASTROMESH_AUDIT_RETENTION_DAYS: '30' } });
    cleanups.push(() => api.stop());
    // The sweep the API starts with has run, so the rows below meet only the one this test calls.
    await api.api.services.audit.sweep();
    await api.db.query(
      `INSERT INTO audit_log (at, actor_kind, action, status) VALUES
         (now() - interval '31 days', 'anonymous', 'old.entry', 200), (now() - interval '29 days', 'anonymous', 'kept.entry', 200)`,
    );

    const refusals = await Promise.all(
      [
        "UPDATE audit_log SET action = 'rewritten'",
        'DELETE FROM audit_log',
        "DELETE FROM audit_log WHERE action = 'kept.entry'",
        'TRUNCATE audit_log',
      ].map((sql) =>
        api.db.query(sql).then(
          () => 'allowed',
          (err: Error) => err.message,
        ),
      ),
    );
    await api.api.services.audit.sweep();
    const { rows } = await api.db.query<{ action: string }>('SELECT action FROM audit_log ORDER BY id');

    expect(refusals).toEqual([
      'audit_log is append-only: UPDATE refused',
      'audit_log is append-only: DELETE refused',
      'audit_log is append-only: DELETE refused',
      'audit_log is append-only: TRUNCATE refused',
    ]);
    expect(rows.map((row) => row.action)).toEqual(['kept.entry']);
  });

  it('refuses a retention that is not a whole number of days, naming the variable', async () => {
    const { loadApiConfig } = await import('../../api/config/api-config.ts');
    const secrets = {
      ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
      ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
    };

    const load = (value: string) => () => loadApiConfig({ ...secrets, ASTROMESH_AUDIT_RETENTION_DAYS: value });

    expect(load('0')).toThrow(/ASTROMESH_AUDIT_RETENTION_DAYS must be at least 1/);
    expect(load('a year')).toThrow(/ASTROMESH_AUDIT_RETENTION_DAYS must be a whole number/);
    expect(loadApiConfig(secrets).auditRetentionDays).toBe(365);
  });
});
