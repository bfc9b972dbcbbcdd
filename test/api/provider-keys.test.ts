import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { aMemberOf } from '../support/a-member-of.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { jsonOf } from '../support/json-of.ts';
import { startSignedInTestApi, type TestApi } from '../support/start-test-api.ts';

const openaiKey = 'sk-proj-T3stK3yF0rAstr0meshCl0udWxyz';
const supportBot = {
  name: 'support-bot',
  step1: { model: 'openai/gpt-4o-mini' },
  step2: { system_prompt: 'You are a helpful support agent.' },
};

describe('provider keys (BYOK)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const setup = () => startSignedInTestApi((stop) => cleanups.push(stop));

  const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

  /** The credentials file the local backend hands the org's runtime. */
  const runtimeCredentials = (api: TestApi, org: string) => {
    const file = join(api.stateDir, 'orgs', org, 'credentials.yaml');
    return existsSync(file) ? (load(readFileSync(file, 'utf8')) as Record<string, string>) : undefined;
  };

  it('saves a key and lists it masked, showing at most its last four characters', async () => {
    const { as } = await setup();

    const saved = await as('/providers', post({ provider: 'openai', api_key: openaiKey }));
    const response = await as('/providers');
    const text = await response.text();

    expect(saved.status).toBe(200);
    expect(await jsonOf(saved)).toEqual({ provider: 'openai', status: 'saved' });
    expect(JSON.parse(text)).toEqual({
      providers: [
        {
          provider: 'openai',
          masked_key: 'sk-proj-...Wxyz',
          base_url: null,
          added_at: expect.any(String),
          updated_at: expect.any(String),
        },
      ],
    });
    expect(text).not.toContain(openaiKey.slice('sk-proj-'.length, -4));
  });

  it('stores the key encrypted under the configured master key, never in plaintext', async () => {
    const { api, as } = await setup();
    await as('/providers', post({ provider: 'openai', api_key: openaiKey }));

    const { rows } = await api.db.query('SELECT * FROM provider_keys');
    const row = rows[0];
    const everyColumn = Object.values(row)
      .map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : String(value)))
      .join('\n');

    expect(rows).toHaveLength(1);
    expect(row.key_id).toBe('k1');
    expect(row.ciphertext.equals(Buffer.from(openaiKey))).toBe(false);
    expect(row.iv).toHaveLength(12);
    expect(row.auth_tag).toHaveLength(16);
    expect(everyColumn).not.toContain(openaiKey.slice('sk-proj-'.length, -4));
  });

  it('keeps an Ollama host without a key, and a base URL with any provider', async () => {
    const { as } = await setup();

    const ollama = await as('/providers', post({ provider: 'ollama', base_url: 'http://127.0.0.1:11434' }));
    const gateway = await as(
      '/providers',
      post({ provider: 'openai', api_key: openaiKey, base_url: 'https://gateway.example.com/v1' }),
    );
    const { providers } = await jsonOf(await as('/providers'));

    expect([ollama.status, gateway.status]).toEqual([200, 200]);
    expect(providers).toEqual([
      expect.objectContaining({ provider: 'ollama', masked_key: null, base_url: 'http://127.0.0.1:11434' }),
      expect.objectContaining({ provider: 'openai', base_url: 'https://gateway.example.com/v1' }),
    ]);
  });

  it('replaces the key on a second save, keeping when it was first added', async () => {
    const { as } = await setup();
    await as('/providers', post({ provider: 'groq', api_key: 'gsk_firstKeyAbcdefghijkl1111' }));
    const [first] = (await jsonOf(await as('/providers'))).providers;

    await as('/providers', post({ provider: 'groq', api_key: 'gsk_secondKeyAbcdefghijk2222' }));
    const [second] = (await jsonOf(await as('/providers'))).providers;

    expect(second.masked_key).toBe('gsk_...2222');
    expect(second.added_at).toBe(first.added_at);
    expect(Date.parse(second.updated_at)).toBeGreaterThanOrEqual(Date.parse(first.updated_at));
  });

  it('deletes a key with 204, then answers 404 for it', async () => {
    const { as } = await setup();
    await as('/providers', post({ provider: 'anthropic', api_key: 'sk-ant-api03-abcdefghijklmnop1234' }));

    const deleted = await as('/providers/anthropic', { method: 'DELETE' });
    const list = await jsonOf(await as('/providers'));
    const again = await as('/providers/anthropic', { method: 'DELETE' });

    expect(deleted.status).toBe(204);
    expect(list).toEqual({ providers: [] });
    expect(again.status).toBe(404);
    expect(await jsonOf(again)).toMatchObject({ error: 'not_found', status: 404 });
  });

  it('refuses bad input with 400 naming the field', async () => {
    const { as } = await setup();

    const missingKey = await as('/providers', post({ provider: 'openai' }));
    const unknownProvider = await as('/providers', post({ provider: 'bedrock', api_key: openaiKey }));
    const badUrl = await as('/providers', post({ provider: 'ollama', base_url: 'file:///etc/passwd' }));
    const unknownInPath = await as('/providers/bedrock', { method: 'DELETE' });

    expect(missingKey.status).toBe(400);
    expect(await jsonOf(missingKey)).toMatchObject({ error: 'invalid_request', message: /^api_key: / });
    expect(await jsonOf(unknownProvider)).toMatchObject({ status: 400, message: /^provider: / });
    expect(await jsonOf(badUrl)).toMatchObject({ status: 400, message: /^base_url: / });
    expect(await jsonOf(unknownInPath)).toMatchObject({ status: 400, message: /^provider: / });
  });

  it('never echoes a refused key, nor a key in a body that is not valid JSON', async () => {
    const { as } = await setup();
    const secret = 'sk-Ech0ed1fY0uSeeThisAbcdef9876';

    const withSpace = await as('/providers', post({ provider: 'openai', api_key: `${secret} trailing-words` }));
    const wrongType = await as('/providers', post({ provider: 'openai', api_key: [secret] }));
    const inUrl = await as('/providers', post({ provider: 'ollama', base_url: `https://user:${secret}@host.example` }));
    const malformed = await as('/providers', {
      method: 'POST',
      body: `{"provider":"openai","api_key":${secret}}`,
    });
    const bodies = [withSpace, wrongType, inUrl, malformed];
    const texts = await Promise.all(bodies.map((response) => response.text()));

    expect(bodies.map((response) => response.status)).toEqual([400, 400, 400, 400]);
    for (const text of texts) expect(text).not.toContain(secret.slice(3, 12));
  });

  it('lets members list the masked keys but not save or delete them', async () => {
    const { api, org, owner, as } = await setup();
    await as('/providers', post({ provider: 'openai', api_key: openaiKey }));
    const member = await aMemberOf(api, { org, ownerToken: owner.token });
    const memberKey = await anApiKeyOf(api, { org, token: owner.token, role: 'member' });

    const list = await api.request(`/orgs/${org}/providers`, { token: member.token });
    const saving = await api.request(`/orgs/${org}/providers`, {
      ...post({ provider: 'groq', api_key: 'gsk_abcdefghijklmnop' }),
      token: member.token,
    });
    const deleting = await api.request(`/orgs/${org}/providers/openai`, { method: 'DELETE', token: member.token });
    const savingWithKey = await api.request(`/orgs/${org}/providers`, {
      ...post({ provider: 'groq', api_key: 'gsk_abcdefghijklmnop' }),
      apiKey: memberKey.secret,
    });

    expect(list.status).toBe(200);
    expect((await jsonOf(list)).providers).toHaveLength(1);
    expect([saving.status, deleting.status, savingWithKey.status]).toEqual([403, 403, 403]);
  });

  it('lets an admin API key save a key', async () => {
    const { api, org, owner } = await setup();
    const adminKey = await anApiKeyOf(api, { org, token: owner.token, role: 'admin' });

    const response = await api.request(`/orgs/${org}/providers`, {
      ...post({ provider: 'mistral', api_key: 'mistralAbcdefghijklmnop4321' }),
      apiKey: adminKey.secret,
    });

    expect(response.status).toBe(200);
  });

  it('answers 401 without credentials', async () => {
    const { api, org } = await setup();

    const responses = await Promise.all([
      api.request(`/orgs/${org}/providers`),
      api.request(`/orgs/${org}/providers`, post({ provider: 'openai', api_key: openaiKey })),
      api.request(`/orgs/${org}/providers/openai`, { method: 'DELETE' }),
    ]);

    expect(responses.map((response) => response.status)).toEqual([401, 401, 401]);
  });

  it('hands a saved key to the runtime of an org with a deployed agent, without a redeploy', async () => {
    const { api, org, as } = await setup();
    await as('/agents', post(supportBot));
    await as('/agents/support-bot/deploy', { method: 'POST' });
    const before = runtimeCredentials(api, org);

    await as('/providers', post({ provider: 'openai', api_key: openaiKey, base_url: 'http://127.0.0.1:9/v1' }));
    await as('/providers', post({ provider: 'ollama', base_url: 'http://127.0.0.1:11434' }));
    const afterSave = runtimeCredentials(api, org);
    await as('/providers/openai', { method: 'DELETE' });
    const afterDelete = runtimeCredentials(api, org);

    expect(before).toEqual({});
    expect(afterSave).toEqual({
      OPENAI_API_KEY: openaiKey,
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      OLLAMA_BASE_URL: 'http://127.0.0.1:11434',
    });
    expect(afterDelete).toEqual({ OLLAMA_BASE_URL: 'http://127.0.0.1:11434' });
    expect((await jsonOf(await as('/agents/support-bot'))).status).toBe('deployed');
  });

  it("gives an org's runtime its own keys only, never another org's", async () => {
    const { api, org, as } = await setup();
    const other = await api.login();
    await as('/agents', post(supportBot));
    await as('/agents/support-bot/deploy', { method: 'POST' });

    await api.request(`/orgs/${other.org}/providers`, {
      ...post({ provider: 'anthropic', api_key: 'sk-ant-otherOrgKeyAbcdefgh0000' }),
      token: other.token,
    });
    await as('/providers', post({ provider: 'groq', api_key: 'gsk_ourOwnKeyAbcdefghij1111' }));

    expect(runtimeCredentials(api, org)).toEqual({ GROQ_API_KEY: 'gsk_ourOwnKeyAbcdefghij1111' });
  });
});
