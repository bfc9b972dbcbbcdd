import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeployBackend, OrgDeployment } from '../../api/backends/deploy-backend.ts';
import { loadApiConfig } from '../../api/config/api-config.ts';
import { type Api, createApi } from '../../api/create-api.ts';
import type { OrgAccess } from '../../api/http/principal.ts';
import { jsonOf } from '../support/json-of.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

const openaiKey = 'sk-proj-R0tat3dKeyAbcdefghijklmnWxyz';
const aMasterKey = () => randomBytes(32).toString('base64');

/** A backend that records what it is asked to run, or refuses everything (`failing`). */
function aRecordingBackend(options: { failing?: boolean } = {}) {
  const applied: OrgDeployment[] = [];
  const backend: DeployBackend = {
    async applyOrg(deployment) {
      if (options.failing) throw new Error('runtime unavailable');
      applied.push(deployment);
    },
    endpointOf: async () => undefined,
    close: async () => {},
  };
  return { backend, applied };
}

describe('provider keys across master-key rotations and failed applies', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const oldKey = aMasterKey();
    const api = await startTestApi({ env: { ASTROMESH_MASTER_KEY: oldKey, ASTROMESH_MASTER_KEY_ID: 'k1' } });
    cleanups.push(() => api.stop());
    const owner = await api.login();
    const as = (path: string, init: RequestInit = {}) =>
      api.request(`/orgs/${owner.org}${path}`, { ...init, token: owner.token });
    return { api, owner, as, oldKey };
  }

  /** A second API on the same database, as after a restart with another master-key configuration. */
  function restartWith(
    api: TestApi,
    options: { masterKey: string; masterKeyId: string; previous?: string; backend: DeployBackend },
  ): Api {
    const config = loadApiConfig({
      ASTROMESH_STATE_DIR: api.stateDir,
      ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
      ASTROMESH_MASTER_KEY: options.masterKey,
      ASTROMESH_MASTER_KEY_ID: options.masterKeyId,
      ...(options.previous ? { ASTROMESH_PREVIOUS_MASTER_KEYS: options.previous } : {}),
    });
    const restarted = createApi({
      config,
      db: api.db,
      backend: options.backend,
      log: pino({ level: 'silent' }),
      now: () => new Date(),
    });
    cleanups.push(() => restarted.close());
    return restarted;
  }

  async function ownerAccess(api: TestApi, org: string): Promise<OrgAccess> {
    const { rows } = await api.db.query<{ id: string }>('SELECT id FROM orgs WHERE slug = $1', [org]);
    const orgId = (rows[0] as { id: string }).id;
    return {
      principal: { kind: 'api_key', keyId: 'test', orgId, orgSlug: org, role: 'admin' },
      orgId,
      orgSlug: org,
      role: 'admin',
    };
  }

  const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });
  const storedKeyIds = async (api: TestApi) =>
    (await api.db.query<{ key_id: string }>('SELECT key_id FROM provider_keys ORDER BY provider')).rows.map(
      (row) => row.key_id,
    );

  it('reseals keys of the previous master key under the current one, and they still open', async () => {
    const { api, owner, as, oldKey } = await setup();
    await as('/providers', post({ provider: 'openai', api_key: openaiKey, base_url: 'https://gw.example.com/v1' }));
    await as('/providers', post({ provider: 'ollama', base_url: 'http://127.0.0.1:11434' }));
    const newKey = aMasterKey();
    const rotated = restartWith(api, {
      masterKey: newKey,
      masterKeyId: 'k2',
      previous: `k1:${oldKey}`,
      backend: aRecordingBackend().backend,
    });

    const report = await rotated.services.providerKeys.resealProviderKeys();
    const keyIds = await storedKeyIds(api);
    const secondRun = await rotated.services.providerKeys.resealProviderKeys();
    const withoutOldKey = aRecordingBackend();
    const restarted = restartWith(api, { masterKey: newKey, masterKeyId: 'k2', backend: withoutOldKey.backend });
    await restarted.services.providerKeys.save(await ownerAccess(api, owner.org), {
      provider: 'groq',
      api_key: 'gsk_afterRotationAbcdefgh1234',
    });

    expect(report).toEqual({ resealed: 2, unreadable: [] });
    expect(keyIds).toEqual(['k2', 'k2']);
    expect(secondRun).toEqual({ resealed: 0, unreadable: [] });
    expect(withoutOldKey.applied.at(-1)?.credentials).toEqual({
      OPENAI_API_KEY: openaiKey,
      OPENAI_BASE_URL: 'https://gw.example.com/v1',
      OLLAMA_BASE_URL: 'http://127.0.0.1:11434',
      GROQ_API_KEY: 'gsk_afterRotationAbcdefgh1234',
    });
  });

  it('reports keys sealed with a master key it does not have, and leaves them as they are', async () => {
    const { api, owner, as } = await setup();
    await as('/providers', post({ provider: 'openai', api_key: openaiKey }));
    const before = (await api.db.query('SELECT * FROM provider_keys')).rows[0];
    const stranger = restartWith(api, {
      masterKey: aMasterKey(),
      masterKeyId: 'k9',
      backend: aRecordingBackend().backend,
    });

    const report = await stranger.services.providerKeys.resealProviderKeys();
    const after = (await api.db.query('SELECT * FROM provider_keys')).rows[0];

    const orgId = (await ownerAccess(api, owner.org)).orgId;
    expect(report).toEqual({ resealed: 0, unreadable: [{ orgId, provider: 'openai', keyId: 'k1' }] });
    expect(after).toEqual(before);
  });

  it('refuses to change the keys of an org whose stored key it cannot open, naming the master key', async () => {
    const { api, owner, as } = await setup();
    await as('/providers', post({ provider: 'openai', api_key: openaiKey }));
    const stranger = restartWith(api, {
      masterKey: aMasterKey(),
      masterKeyId: 'k9',
      backend: aRecordingBackend().backend,
    });

    const saving = stranger.services.providerKeys.save(await ownerAccess(api, owner.org), {
      provider: 'groq',
      api_key: 'gsk_neverStoredAbcdefghij0000',
    });

    await expect(saving).rejects.toMatchObject({ code: 'provider_key_unreadable', status: 500, message: /'k1'/ });
    await expect(saving).rejects.not.toMatchObject({ message: expect.stringContaining(openaiKey) });
    expect(await storedKeyIds(api)).toEqual(['k1']);
  });

  it('rolls a saved or deleted key back when the runtime cannot take the change', async () => {
    const { api, owner, as, oldKey } = await setup();
    await as('/providers', post({ provider: 'openai', api_key: openaiKey }));
    const listed = async () => (await jsonOf(await as('/providers'))).providers;
    const before = await listed();
    const broken = restartWith(api, {
      masterKey: oldKey,
      masterKeyId: 'k1',
      backend: aRecordingBackend({ failing: true }).backend,
    });
    const access = await ownerAccess(api, owner.org);

    const replacing = broken.services.providerKeys.save(access, {
      provider: 'openai',
      api_key: 'sk-proj-NeverAppliedAbcdefghij0000',
    });
    await expect(replacing).rejects.toMatchObject({ code: 'deployment_failed', status: 502 });
    const deleting = broken.services.providerKeys.remove(access, 'openai');
    await expect(deleting).rejects.toMatchObject({ code: 'deployment_failed', status: 502 });

    expect(await listed()).toEqual(before);
  });
});
