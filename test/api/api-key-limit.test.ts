import { afterEach, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/json-of.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

describe('the API-key limit per org', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const setup = (env: Record<string, string> = {}) => startSignedInTestApi((stop) => cleanups.push(stop), { env });

  it('refuses the key past ASTROMESH_MAX_API_KEYS with 409 api_key_limit_reached, and creates nothing', async () => {
    const { as } = await setup({ ASTROMESH_MAX_API_KEYS: '3' });
    for (const name of ['one', 'two', 'three']) expect((await as('/keys', post({ name }))).status).toBe(201);

    const refused = await as('/keys', post({ name: 'four' }));
    const listed = await jsonOf(await as('/keys'));

    expect(refused.status).toBe(409);
    expect(await jsonOf(refused)).toEqual({
      error: 'api_key_limit_reached',
      message: 'an org may have at most 3 API keys; revoke one first',
      status: 409,
    });
    expect(listed.keys.map((key: { name: string }) => key.name)).toEqual(['one', 'two', 'three']);
  });

  it('counts only active keys: after a revoke, a new key can be created', async () => {
    const { as } = await setup({ ASTROMESH_MAX_API_KEYS: '2' });
    const first = await jsonOf(await as('/keys', post({ name: 'first' })));
    await as('/keys', post({ name: 'second' }));
    const refusedAtLimit = await as('/keys', post({ name: 'third' }));

    const revoked = await as(`/keys/${first.id}`, { method: 'DELETE' });
    const created = await as('/keys', post({ name: 'third' }));

    expect(refusedAtLimit.status).toBe(409);
    expect(revoked.status).toBe(204);
    expect(created.status).toBe(201);
  });

  it('counts each org apart', async () => {
    const { api, as } = await setup({ ASTROMESH_MAX_API_KEYS: '1' });
    await as('/keys', post({ name: 'only' }));
    const other = await api.signIn();

    const response = await other.as('/keys', post({ name: 'only' }));

    expect(response.status).toBe(201);
  });

  it('gives exactly the default 50 keys to 60 parallel creations and refuses the other 10', async () => {
    const { api, org, as } = await setup();

    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, index) => as('/keys', post({ name: `parallel-${index}` }))),
    );
    const statuses = responses.map((response) => response.status);
    const { rows } = await api.db.query<{ keys: number }>(
      'SELECT count(*)::int AS keys FROM api_keys k JOIN orgs o ON o.id = k.org_id WHERE o.slug = $1',
      [org],
    );

    expect(statuses.filter((status) => status === 201)).toHaveLength(50);
    expect(statuses.filter((status) => status === 409)).toHaveLength(10);
    expect(rows[0]?.keys).toBe(50);
  });
});
