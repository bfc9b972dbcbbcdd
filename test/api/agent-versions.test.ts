import { afterEach, describe, expect, it } from 'vitest';
import type { DeployBackend } from '../../api/backends/deploy-backend.ts';
import { createLocalBackend } from '../../api/backends/local/create-local-backend.ts';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aMemberOf } from '../support/a-member-of.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { post, put } from '../support/post.ts';
import { type SignedIn, startTestApi, type TestApi } from '../support/start-test-api.ts';

// Agent versions on the local backend (issue 15, item 1): the whole path, Cloud API → the org's
// astromeshd → a fake OpenAI server, so "which prompt answered" is what the model was sent.

const v1Prompt = 'Answer questions about Acme orders.';
const v2Prompt = 'Answer questions about Acme invoices only.';
const systemOf = (prompt: string) => `You are Support Agent.\n\n${prompt}`;

describe('agent versions and rollback, on the local backend', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startApi(options: Parameters<typeof startTestApi>[0] = {}) {
    const api = await startTestApi(options);
    cleanups.push(() => api.stop());
    return api;
  }

  async function aFakeOpenAi(): Promise<FakeProvider> {
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    return fake;
  }

  /** An org whose openai key points at `fake`, with support-bot deployed once (version 1). */
  async function anOrgWithV1(api: TestApi, fake: FakeProvider): Promise<SignedIn> {
    const signedIn = await api.signIn();
    await signedIn.as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await signedIn.as('/agents', post(aSupportBot));
    const deployed = await signedIn.as('/agents/support-bot/deploy', post());
    if (deployed.status !== 200) throw new Error(`deploy failed: ${JSON.stringify(await deployed.json())}`);
    return signedIn;
  }

  /** Pause, change the prompt, deploy: version 2. */
  async function deployV2(as: SignedIn['as']) {
    await as('/agents/support-bot/pause', post());
    await as('/agents/support-bot', put({ step2: { system_prompt: v2Prompt } }));
    return as('/agents/support-bot/deploy', post());
  }

  it("deploys v1, then v2, then rolls back to v1: the run answers with v1's prompt, as version 3", async () => {
    const api = await startApi();
    const fake = await aFakeOpenAi();
    const { as, org, token } = await anOrgWithV1(api, fake);
    const v2 = await jsonOf(await deployV2(as));
    fake.enqueue(fakeReply.text('Invoices only.'));
    const onV2 = await jsonOf(await as('/agents/support-bot/run', post({ query: 'Where is my order?' })));
    const onV2System = (fake.lastRequest.body.messages as unknown[])[0];

    const rolledBack = await as('/agents/support-bot/rollback', post({ version: 1 }));
    fake.enqueue(fakeReply.text('Order 5 ships today.'));
    const onV1 = await jsonOf(await as('/agents/support-bot/run', post({ query: 'Where is my order?' })));

    expect(v2).toMatchObject({ status: 'deployed', version: 2 });
    expect(onV2).toMatchObject({ answer: 'Invoices only.', version: 2 });
    expect(onV2System).toEqual({ role: 'system', content: systemOf(v2Prompt) });
    expect(rolledBack.status).toBe(200);
    expect(await jsonOf(rolledBack)).toMatchObject({ status: 'deployed', agent_id: `${org}__support-bot`, version: 3 });
    expect(onV1).toMatchObject({ answer: 'Order 5 ships today.', version: 3 });
    expect((fake.lastRequest.body.messages as unknown[])[0]).toEqual({ role: 'system', content: systemOf(v1Prompt) });
    const agent = await jsonOf(await as('/agents/support-bot'));
    expect(agent).toMatchObject({ status: 'deployed', version: 3 });
    expect(agent.wizard_config.step2.system_prompt).toBe(v1Prompt);
    // The stream's done event says the same, and usage records which version answered.
    const socket = await openAgentSocket(api.url, {
      path: `/api/v1/orgs/${org}/agents/support-bot/stream?token=${encodeURIComponent(token)}`,
    });
    cleanups.push(() => socket.close());
    socket.send({ query: 'And order 6?' });
    expect((await socket.untilEnd()).at(-1)).toMatchObject({ type: 'done', version: 3 });
    await api.api.services.usage.settled();
    const { rows } = await api.db.query<{ agent_version: number }>(
      'SELECT agent_version FROM usage_records ORDER BY id',
    );
    expect(rows.map((row) => row.agent_version)).toEqual([2, 3, 3]);
  });

  it('lists versions newest first, each with its checksum, deployer and rollback origin', async () => {
    const api = await startApi();
    const fake = await aFakeOpenAi();
    const owner = await anOrgWithV1(api, fake);
    await deployV2(owner.as);
    const admin = await anApiKeyOf(api, { org: owner.org, token: owner.token, role: 'admin' });
    await api.request(`/orgs/${owner.org}/agents/support-bot/rollback`, {
      method: 'POST',
      apiKey: admin.secret,
      body: JSON.stringify({ version: 1 }),
    });

    const { versions } = await jsonOf(await owner.as('/agents/support-bot/versions'));
    const v3 = await jsonOf(await owner.as('/agents/support-bot/versions/3'));

    expect(versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(versions[0]).toMatchObject({ rolled_back_from: 1, is_current: true, deployed_by: { api_key_id: admin.id } });
    expect(versions[2]).toMatchObject({ rolled_back_from: null, is_current: false });
    expect(versions[2].deployed_by).toEqual({ user_id: expect.any(String) });
    expect(versions[0].checksum).toBe(versions[2].checksum);
    expect(versions[1].checksum).not.toBe(versions[2].checksum);
    expect(v3.wizard_config.step2.system_prompt).toBe(v1Prompt);
    expect(v3.yaml).toContain(`system: |-\n      ${systemOf(v1Prompt).split('\n')[0]}`);
    expect(v3.yaml).not.toContain('version:');
  });

  it('makes no new version for a redeploy of an unchanged config, nor for a rollback to the latest', async () => {
    const api = await startApi();
    const fake = await aFakeOpenAi();
    const { as } = await anOrgWithV1(api, fake);

    await as('/agents/support-bot/pause', post());
    const redeployed = await jsonOf(await as('/agents/support-bot/deploy', post()));
    await as('/agents/support-bot/pause', post());
    await as('/agents/support-bot', put({ step2: { system_prompt: v2Prompt } }));
    const edited = await jsonOf(await as('/agents/support-bot'));
    const rolledBack = await jsonOf(await as('/agents/support-bot/rollback', post({ version: 1 })));

    expect(redeployed.version).toBe(1);
    // The paused agent's edited config is no version yet.
    expect(edited.version).toBeNull();
    expect(rolledBack.version).toBe(1);
    const { versions } = await jsonOf(await as('/agents/support-bot/versions'));
    expect(versions).toHaveLength(1);
  });

  it('diffs two versions: a unified diff of the YAML and the config fields that changed', async () => {
    const api = await startApi();
    const fake = await aFakeOpenAi();
    const { as } = await anOrgWithV1(api, fake);
    await as('/agents/support-bot/pause', post());
    await as('/agents/support-bot', put({ step2: { system_prompt: v2Prompt }, step3: { tools: ['calculator'] } }));
    await as('/agents/support-bot/deploy', post());

    const diff = await jsonOf(await as('/agents/support-bot/versions/2/diff'));
    const backwards = await jsonOf(await as('/agents/support-bot/versions/1/diff?against=2'));

    expect(diff).toMatchObject({ from: 1, to: 2 });
    expect(diff.yaml_diff).toMatch(/^--- version 1\n\+\+\+ version 2\n@@ -\d+(,\d+)? \+\d+(,\d+)? @@\n/);
    expect(diff.yaml_diff).toContain(`\n-      ${v1Prompt}\n`);
    expect(diff.yaml_diff).toContain(`\n+      ${v2Prompt}\n`);
    expect(diff.yaml_diff).toContain('\n+    - name: calculator\n');
    expect(diff.config_changes).toEqual([
      { field: 'step2.system_prompt', from: v1Prompt, to: v2Prompt },
      { field: 'step3.tools', from: [], to: ['calculator'] },
    ]);
    expect(backwards.config_changes[0]).toEqual({ field: 'step2.system_prompt', from: v2Prompt, to: v1Prompt });
    // Version 1 has none before it: all of it is added.
    const first = await jsonOf(await as('/agents/support-bot/versions/1/diff'));
    expect(first).toMatchObject({ from: null, to: 1 });
    expect(first.yaml_diff).toMatch(
      /^--- \/dev\/null\n\+\+\+ version 1\n@@ -0,0 \+1,\d+ @@\n\+apiVersion: astromesh\/v1\n/,
    );
    expect(first.config_changes).toContainEqual({ field: 'step2.system_prompt', to: v1Prompt });
  });

  it('refuses bad versions and rollbacks, naming the field', async () => {
    const api = await startApi();
    const fake = await aFakeOpenAi();
    const owner = await anOrgWithV1(api, fake);
    const { as } = owner;
    const member = await aMemberOf(api, { org: owner.org, ownerToken: owner.token });
    const rollbackAsMember = await api.request(`/orgs/${owner.org}/agents/support-bot/rollback`, {
      method: 'POST',
      token: member.token,
      body: JSON.stringify({ version: 1 }),
    });

    const answers = {
      notANumber: await as('/agents/support-bot/rollback', post({ version: 'one' })),
      missing: await as('/agents/support-bot/rollback', post({})),
      unknown: await as('/agents/support-bot/rollback', post({ version: 7 })),
      alreadyDeployed: await as('/agents/support-bot/rollback', post({ version: 1 })),
      noAgent: await as('/agents/nobody/rollback', post({ version: 1 })),
      badPath: await as('/agents/support-bot/versions/0'),
      unknownVersion: await as('/agents/support-bot/versions/9'),
      badAgainst: await as('/agents/support-bot/versions/1/diff?against=x'),
      unknownAgainst: await as('/agents/support-bot/versions/1/diff?against=5'),
    };

    expect(rollbackAsMember.status).toBe(403);
    const bodies = Object.fromEntries(
      await Promise.all(Object.entries(answers).map(async ([key, res]) => [key, await jsonOf(res)])),
    );
    expect(bodies.notANumber).toMatchObject({ status: 400, message: expect.stringMatching(/^version: /) });
    expect(bodies.missing).toMatchObject({ status: 400, message: expect.stringMatching(/^version: /) });
    expect(bodies.unknown).toMatchObject({
      status: 409,
      error: 'version_not_found',
      message: "version: agent 'support-bot' has no version 7",
    });
    expect(bodies.alreadyDeployed).toMatchObject({ status: 409, error: 'agent_already_deployed' });
    expect(bodies.noAgent).toMatchObject({ status: 404, error: 'not_found' });
    expect(bodies.badPath).toMatchObject({ status: 400, message: expect.stringMatching(/^n: /) });
    expect(bodies.unknownVersion).toMatchObject({ status: 404 });
    expect(bodies.unknownAgainst).toMatchObject({ status: 404, message: "version 5 of agent 'support-bot' not found" });
    expect(bodies.badAgainst).toMatchObject({ status: 400, message: expect.stringMatching(/^against: /) });
  });

  it('records nothing when the deploy fails, and a rollback that fails leaves the agent as it was', async () => {
    let isFailing = false;
    const api = await startApi({
      backend: (context) => {
        const local = createLocalBackend({
          stateDir: context.stateDir,
          memoryUrl: context.databaseUrl,
          log: context.log,
        });
        const backend: DeployBackend = {
          ...local,
          async applyOrg(deployment, options) {
            // Restoring after the failure (waitUntilServed false) goes through, as a real backend's would.
            if (isFailing && options?.waitUntilServed !== false) throw new Error('runtime unavailable');
            return local.applyOrg(deployment, options);
          },
        };
        return backend;
      },
    });
    const fake = await aFakeOpenAi();
    const { as } = await anOrgWithV1(api, fake);
    await as('/agents/support-bot/pause', post());
    await as('/agents/support-bot', put({ step2: { system_prompt: v2Prompt } }));
    isFailing = true;

    const failedDeploy = await as('/agents/support-bot/deploy', post());
    const failedRollback = await as('/agents/support-bot/rollback', post({ version: 1 }));

    expect(failedDeploy.status).toBe(502);
    expect(failedRollback.status).toBe(502);
    const { versions } = await jsonOf(await as('/agents/support-bot/versions'));
    expect(versions.map((v: { version: number }) => v.version)).toEqual([1]);
    const agent = await jsonOf(await as('/agents/support-bot'));
    expect(agent).toMatchObject({ status: 'paused', version: null });
    expect(agent.wizard_config.step2.system_prompt).toBe(v2Prompt);
  });

  it('keeps versions immutable in the database', async () => {
    const api = await startApi();
    const fake = await aFakeOpenAi();
    await anOrgWithV1(api, fake);

    const update = api.db.query("UPDATE agent_versions SET yaml = 'tampered'");

    await expect(update).rejects.toThrow('agent versions are immutable');
  });
});
