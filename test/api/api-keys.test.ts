import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { aMemberOf } from '../support/a-member-of.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

describe('API keys', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const setup = () => startSignedInTestApi((stop) => cleanups.push(stop));

  const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

  it('creates a key whose ask- secret carries at least 32 random bytes, shown in this response', async () => {
    const { as } = await setup();

    const response = await as('/keys', post({ name: 'Production' }));
    const key = await jsonOf(response);

    expect(response.status).toBe(201);
    expect(key).toEqual({
      id: expect.stringMatching(/^key_/),
      name: 'Production',
      prefix: key.secret.slice(0, 12),
      role: 'member',
      secret: expect.stringMatching(/^ask-[A-Za-z0-9_-]+$/),
      created_at: expect.any(String),
    });
    expect(Buffer.from(key.secret.slice('ask-'.length), 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('never shows the secret again: the list has the prefix and no secret', async () => {
    const { as } = await setup();
    const created = await jsonOf(await as('/keys', post({ name: 'Production', role: 'admin' })));

    const response = await as('/keys');
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toEqual({
      keys: [
        {
          id: created.id,
          name: 'Production',
          prefix: created.prefix,
          role: 'admin',
          created_at: created.created_at,
          last_used_at: null,
        },
      ],
    });
    expect(text).not.toContain(created.secret);
    expect(text).not.toContain(created.secret.slice(created.prefix.length));
  });

  it('stores only the SHA-256 of the secret', async () => {
    const { api, org, owner } = await setup();
    const key = await anApiKeyOf(api, { org, token: owner.token });

    const { rows } = await api.db.query('SELECT * FROM api_keys WHERE id = $1', [key.id]);
    const stored = JSON.stringify(rows[0], (_name, value) =>
      value?.type === 'Buffer' ? Buffer.from(value.data).toString('latin1') : value,
    );

    expect(rows[0].secret_hash).toEqual(createHash('sha256').update(key.secret).digest());
    expect(stored).not.toContain(key.secret.slice('ask-'.length));
  });

  it('gives every key a different secret', async () => {
    const { api, org, owner } = await setup();

    const first = await anApiKeyOf(api, { org, token: owner.token });
    const second = await anApiKeyOf(api, { org, token: owner.token });

    expect(first.secret).not.toBe(second.secret);
    expect(first.id).not.toBe(second.id);
  });

  it('is accepted as X-API-Key on an org endpoint and records when it was last used', async () => {
    const { api, org, owner, as } = await setup();
    const key = await anApiKeyOf(api, { org, token: owner.token });

    const response = await api.request(`/orgs/${org}/agents`, { apiKey: key.secret });

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({ agents: [] });
    await eventually(async () => {
      const { keys } = await jsonOf(await as('/keys'));
      expect(keys[0].last_used_at).toEqual(expect.stringMatching(/^\d{4}-/));
    });
  });

  it('stops accepting a revoked key at once', async () => {
    const { api, org, owner, as } = await setup();
    const key = await anApiKeyOf(api, { org, token: owner.token });
    const before = await api.request(`/orgs/${org}/agents`, { apiKey: key.secret });

    const revoked = await as(`/keys/${key.id}`, { method: 'DELETE' });
    const after = await api.request(`/orgs/${org}/agents`, { apiKey: key.secret });

    expect(before.status).toBe(200);
    expect(revoked.status).toBe(204);
    expect(await revoked.text()).toBe('');
    expect(after.status).toBe(401);
    expect(await jsonOf(after)).toMatchObject({ error: 'unauthorized', status: 401 });
    expect((await jsonOf(await as('/keys'))).keys).toEqual([]);
  });

  it('answers 404 for a key the org does not have, including one of another org', async () => {
    const { api, as } = await setup();
    const other = await api.login();
    const othersKey = await anApiKeyOf(api, { org: other.org, token: other.token });

    const unknown = await as('/keys/key_000000000000000000000000', { method: 'DELETE' });
    const foreign = await as(`/keys/${othersKey.id}`, { method: 'DELETE' });
    const stillWorks = await api.request(`/orgs/${other.org}/agents`, { apiKey: othersKey.secret });

    expect(unknown.status).toBe(404);
    expect(await jsonOf(unknown)).toMatchObject({ error: 'not_found', status: 404 });
    expect(foreign.status).toBe(404);
    expect(stillWorks.status).toBe(200);
  });

  it('refuses a missing name or an unknown role with 400 naming the field', async () => {
    const { as } = await setup();

    const noName = await as('/keys', post({}));
    const blankName = await as('/keys', post({ name: '   ' }));
    const ownerRole = await as('/keys', post({ name: 'x', role: 'owner' }));

    expect(noName.status).toBe(400);
    expect(await jsonOf(noName)).toMatchObject({ error: 'invalid_request', message: /^name: / });
    expect(await jsonOf(blankName)).toMatchObject({ message: /^name: / });
    expect(await jsonOf(ownerRole)).toMatchObject({ status: 400, message: /^role: / });
  });

  it('lets only owners and admins see, create and revoke keys', async () => {
    const { api, org, owner } = await setup();
    const member = await aMemberOf(api, { org, ownerToken: owner.token, role: 'member' });
    const admin = await aMemberOf(api, { org, ownerToken: owner.token, role: 'admin' });
    const key = await anApiKeyOf(api, { org, token: owner.token });

    const memberList = await api.request(`/orgs/${org}/keys`, { token: member.token });
    const memberCreate = await api.request(`/orgs/${org}/keys`, { ...post({ name: 'mine' }), token: member.token });
    const memberRevoke = await api.request(`/orgs/${org}/keys/${key.id}`, { method: 'DELETE', token: member.token });
    const adminCreate = await api.request(`/orgs/${org}/keys`, {
      ...post({ name: 'ops', role: 'admin' }),
      token: admin.token,
    });

    expect([memberList.status, memberCreate.status, memberRevoke.status]).toEqual([403, 403, 403]);
    expect(await jsonOf(memberCreate)).toMatchObject({ error: 'forbidden', status: 403 });
    expect(adminCreate.status).toBe(201);
  });

  it('lets an admin key manage keys and a member key neither create nor list them', async () => {
    const { api, org, owner } = await setup();
    const adminKey = await anApiKeyOf(api, { org, token: owner.token, role: 'admin' });
    const memberKey = await anApiKeyOf(api, { org, token: owner.token, role: 'member' });

    const byAdminKey = await api.request(`/orgs/${org}/keys`, {
      ...post({ name: 'made by a key', role: 'admin' }),
      apiKey: adminKey.secret,
    });
    const byMemberKey = await api.request(`/orgs/${org}/keys`, { ...post({ name: 'x' }), apiKey: memberKey.secret });
    const listByMemberKey = await api.request(`/orgs/${org}/keys`, { apiKey: memberKey.secret });

    expect(byAdminKey.status).toBe(201);
    expect(byMemberKey.status).toBe(403);
    expect(listByMemberKey.status).toBe(403);
  });

  it('answers 401 without credentials and for a key that is not ours', async () => {
    const { api, org } = await setup();

    const none = await api.request(`/orgs/${org}/keys`);
    const forged = await api.request(`/orgs/${org}/keys`, { apiKey: `ask-${'A'.repeat(43)}` });
    const notAnAskKey = await api.request(`/orgs/${org}/keys`, { apiKey: 'sk-something' });

    expect([none.status, forged.status, notAnAskKey.status]).toEqual([401, 401, 401]);
  });
});
