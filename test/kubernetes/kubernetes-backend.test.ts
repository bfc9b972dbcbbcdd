import { randomBytes } from 'node:crypto';
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { load } from 'js-yaml';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeployBackend } from '../../api/backends/deploy-backend.ts';
import { DeployTimeout } from '../../api/backends/deploy-timeout.ts';
import type { CloudAgentObject } from '../../api/backends/kubernetes/build-cloud-agent.ts';
import { CloudAgentFailed } from '../../api/backends/kubernetes/cloud-agent-failed.ts';
import {
  createKubernetesBackend,
  type KubernetesBackendOptions,
} from '../../api/backends/kubernetes/create-kubernetes-backend.ts';
import { compileWizardConfig } from '../../api/compiler/compile-wizard-config.ts';
import { createDatabase } from '../../api/db/database.ts';
import { migrate } from '../../api/db/migrate.ts';
import { WizardConfig } from '../../api/schemas/wizard-config.ts';
import { reconcileDeployments } from '../../api/services/reconcile-deployments.ts';
import { startPeriodicResync } from '../../api/services/start-periodic-resync.ts';
import { insertAgent, setAgentStatus } from '../../api/stores/agents-store.ts';
import { insertOrg } from '../../api/stores/orgs-store.ts';
import { cloudAgentGroup, cloudAgentPlural, cloudAgentVersion } from '../../crds/cloud-agent.ts';
import { memorySchemaOf, orgNamespaceOf, orgSecretName } from '../../crds/org-runtime-names.ts';
import { createPostgresConversationStore } from '../../runtime/memory/create-postgres-conversation-store.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { apiIdentityFromChart } from '../support/chart-identity.ts';
import { eventually } from '../support/eventually.ts';
import { type OperatorVerdict, playCloudAgentOperator } from '../support/play-cloud-agent-operator.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { testKubeConfig } from '../support/test-kube.ts';

const resource = { group: cloudAgentGroup, version: cloudAgentVersion, plural: cloudAgentPlural };
const log = pino({ level: 'silent' });
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const anOrgSlug = () => `org-${randomBytes(4).toString('hex')}`;
const anAgent = (orgSlug: string, name: string, model = 'openai/gpt-4o-mini') =>
  compileWizardConfig({
    orgSlug,
    config: WizardConfig.parse({ name, display_name: `The ${name}`, step1: { model } }),
  });

describe('the kubernetes deploy backend, with only the RBAC the chart gives the API', () => {
  let admin: KubeConfig;
  let asApi: KubeConfig;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    admin = testKubeConfig();
    await applyCrds(admin);
    ({ kubeConfig: asApi } = await apiIdentityFromChart(admin));
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function aBackend(options: Partial<KubernetesBackendOptions> = {}): DeployBackend {
    const backend = createKubernetesBackend({
      kubeConfig: asApi,
      log,
      runtimeEndpoints: { kind: 'endpoint-slices' },
      deployTimeoutMs: 20_000,
      statusPollIntervalMs: 50,
      ...options,
    });
    cleanups.push(() => backend.close());
    return backend;
  }

  function anOperator(
    orgSlug: string,
    options: { verdict?: (cloudAgent: CloudAgentObject) => OperatorVerdict | undefined; holdFinalizers?: boolean } = {},
  ) {
    const operator = playCloudAgentOperator({ kubeConfig: admin, namespace: orgNamespaceOf(orgSlug), ...options });
    cleanups.push(() => operator.stop());
    return operator;
  }

  const customObjects = () => admin.makeApiClient(CustomObjectsApi);
  const core = () => admin.makeApiClient(CoreV1Api);
  const cloudAgentsOf = async (orgSlug: string) =>
    (
      (await customObjects().listNamespacedCustomObject({ ...resource, namespace: orgNamespaceOf(orgSlug) })) as {
        items: CloudAgentObject[];
      }
    ).items;
  const cloudAgentOf = async (orgSlug: string, name: string) =>
    (await customObjects().getNamespacedCustomObject({
      ...resource,
      namespace: orgNamespaceOf(orgSlug),
      name,
    })) as CloudAgentObject & { metadata: { managedFields?: { manager: string }[] } };
  const secretDataOf = async (orgSlug: string) => {
    const secret = await core().readNamespacedSecret({ name: orgSecretName, namespace: orgNamespaceOf(orgSlug) });
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
    );
  };

  describe('applyOrg', () => {
    it('creates the org namespace, labelled with the org, and its runtime Secret with credentials and a token', async () => {
      const orgSlug = anOrgSlug();

      await aBackend().applyOrg({
        orgSlug,
        agents: [],
        pausedAgents: [],
        credentials: { OPENAI_API_KEY: 'sk-one', OLLAMA_BASE_URL: 'http://ollama:11434' },
      });

      const namespace = await core().readNamespace({ name: orgNamespaceOf(orgSlug) });
      expect(namespace.metadata?.labels).toMatchObject({
        'astromesh.io/org': orgSlug,
        'app.kubernetes.io/managed-by': 'astromesh-cloud',
      });
      const data = await secretDataOf(orgSlug);
      expect(Object.keys(data).sort()).toEqual(['credentials.yaml', 'runtime-token']);
      expect(load(data['credentials.yaml'] ?? '')).toEqual({
        OPENAI_API_KEY: 'sk-one',
        OLLAMA_BASE_URL: 'http://ollama:11434',
      });
      expect(data['runtime-token']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('keeps the runtime token across applies and API restarts, and endpointOf reads it back', async () => {
      const orgSlug = anOrgSlug();
      const deployment = { orgSlug, agents: [], pausedAgents: [], credentials: { OPENAI_API_KEY: 'sk-one' } };
      await aBackend().applyOrg(deployment);
      const token = (await secretDataOf(orgSlug))['runtime-token'];

      const restarted = aBackend({ runtimeEndpoints: { kind: 'service-dns', clusterDomain: 'cluster.local' } });
      const endpoint = await restarted.endpointOf(orgSlug);
      await restarted.applyOrg({ ...deployment, credentials: { OPENAI_API_KEY: 'sk-two' } });

      expect(endpoint).toEqual({
        baseUrl: `http://astromesh-runtime.${orgNamespaceOf(orgSlug)}.svc.cluster.local:8000`,
        token,
      });
      expect(await secretDataOf(orgSlug)).toMatchObject({
        'runtime-token': token,
        'credentials.yaml': 'OPENAI_API_KEY: sk-two\n',
      });
    });

    it('applies a CloudAgent per deployed agent holding the compiled agent, and waits until the operator reports it Ready', async () => {
      const orgSlug = anOrgSlug();
      let operatorReady = false;
      anOperator(orgSlug, { verdict: () => (operatorReady ? { phase: 'Ready' } : undefined) });
      const agent = anAgent(orgSlug, 'support-bot');
      let applied = false;

      const applying = aBackend()
        .applyOrg({ orgSlug, agents: [agent], pausedAgents: [], credentials: {} })
        .then(() => (applied = true));
      const cloudAgent = await eventually(() => cloudAgentOf(orgSlug, 'support-bot'));
      const appliedBeforeReady = applied;
      operatorReady = true;
      await applying;

      expect(appliedBeforeReady).toBe(false);
      expect(cloudAgent.metadata.labels).toEqual({ 'astromesh.io/org': orgSlug });
      expect(cloudAgent.spec).toEqual({
        orgSlug,
        agentName: 'support-bot',
        displayName: 'The support-bot',
        paused: false,
        agent: JSON.parse(JSON.stringify(agent)),
      });
      expect(cloudAgent.metadata.managedFields?.map((field) => field.manager)).toContain('astromesh-cloud-api');
      expect((await cloudAgentOf(orgSlug, 'support-bot')).status?.phase).toBe('Ready');
    });

    it('marks paused agents paused and waits until the operator reports them Paused', async () => {
      const orgSlug = anOrgSlug();
      anOperator(orgSlug);
      const backend = aBackend();
      const [bot, helper] = [anAgent(orgSlug, 'bot'), anAgent(orgSlug, 'helper')];
      await backend.applyOrg({ orgSlug, agents: [bot, helper], pausedAgents: [], credentials: {} });

      await backend.applyOrg({ orgSlug, agents: [helper], pausedAgents: [bot], credentials: {} });

      const paused = await cloudAgentOf(orgSlug, 'bot');
      expect(paused.spec.paused).toBe(true);
      expect(paused.status).toMatchObject({ phase: 'Paused', observedGeneration: paused.metadata.generation });
      expect((await cloudAgentOf(orgSlug, 'helper')).status?.phase).toBe('Ready');
    });

    it("deletes the CloudAgent of an agent neither deployed nor paused, without waiting for the operator's finalizer", async () => {
      const orgSlug = anOrgSlug();
      const operator = anOperator(orgSlug, { holdFinalizers: true });
      const backend = aBackend();
      const [kept, removed] = [anAgent(orgSlug, 'kept'), anAgent(orgSlug, 'removed')];
      await backend.applyOrg({ orgSlug, agents: [kept, removed], pausedAgents: [], credentials: {} });
      await eventually(async () =>
        expect((await cloudAgentOf(orgSlug, 'removed')).metadata.finalizers).toHaveLength(1),
      );

      await backend.applyOrg({ orgSlug, agents: [kept], pausedAgents: [], credentials: {} });

      expect((await cloudAgentOf(orgSlug, 'removed')).metadata.deletionTimestamp).toBeDefined();
      operator.releaseFinalizers();
      await eventually(async () =>
        expect((await cloudAgentsOf(orgSlug)).map((cloudAgent) => cloudAgent.metadata.name)).toEqual(['kept']),
      );
    });

    it('applies an agent deployed again once its old CloudAgent has let go of its finalizer', async () => {
      const orgSlug = anOrgSlug();
      const operator = anOperator(orgSlug, { holdFinalizers: true });
      const backend = aBackend();
      const bot = anAgent(orgSlug, 'bot');
      await backend.applyOrg({ orgSlug, agents: [bot], pausedAgents: [], credentials: {} });
      await eventually(async () => expect((await cloudAgentOf(orgSlug, 'bot')).metadata.finalizers).toHaveLength(1));
      await backend.applyOrg({ orgSlug, agents: [], pausedAgents: [], credentials: {} });

      const redeploying = backend.applyOrg({ orgSlug, agents: [bot], pausedAgents: [], credentials: {} });
      operator.releaseFinalizers();
      await redeploying;

      const cloudAgent = await cloudAgentOf(orgSlug, 'bot');
      expect(cloudAgent.metadata.deletionTimestamp).toBeUndefined();
      expect(cloudAgent.status?.phase).toBe('Ready');
    });

    it('throws DeployTimeout naming the agent when the operator does not report it Ready in time', async () => {
      const orgSlug = anOrgSlug();
      anOperator(orgSlug, { verdict: () => undefined });

      const applying = aBackend({ deployTimeoutMs: 1_000 }).applyOrg({
        orgSlug,
        agents: [anAgent(orgSlug, 'slow-bot')],
        pausedAgents: [],
        credentials: {},
      });

      await expect(applying).rejects.toBeInstanceOf(DeployTimeout);
      await expect(applying).rejects.toThrow(/within 1 s \(still waiting for slow-bot: generation 1 not observed/);
    });

    it("fails at once with the operator's message when it marks a CloudAgent Failed", async () => {
      const orgSlug = anOrgSlug();
      anOperator(orgSlug, {
        verdict: (cloudAgent) =>
          cloudAgent.metadata.name === 'broken'
            ? { phase: 'Failed', message: "provider 'openai' has no API key" }
            : { phase: 'Ready' },
      });

      // The deadline outlives the test (30 s): a CloudAgentFailed, not a DeployTimeout, can only
      // come from the Failed phase, so "at once" is shown by what ends the wait, not by a clock.
      const applying = aBackend({ deployTimeoutMs: 120_000 }).applyOrg({
        orgSlug,
        agents: [anAgent(orgSlug, 'fine'), anAgent(orgSlug, 'broken')],
        pausedAgents: [],
        credentials: {},
      });

      await expect(applying).rejects.toBeInstanceOf(CloudAgentFailed);
      await expect(applying).rejects.toThrow("agent 'broken' failed: provider 'openai' has no API key (InvalidSpec)");
    });

    it('puts back a CloudAgent deleted while it waits', async () => {
      const orgSlug = anOrgSlug();
      let ready = false;
      anOperator(orgSlug, { verdict: () => (ready ? { phase: 'Ready' } : undefined) });

      const applying = aBackend().applyOrg({
        orgSlug,
        agents: [anAgent(orgSlug, 'bot')],
        pausedAgents: [],
        credentials: {},
      });
      const first = await eventually(() => cloudAgentOf(orgSlug, 'bot'));
      await customObjects().deleteNamespacedCustomObject({
        ...resource,
        namespace: orgNamespaceOf(orgSlug),
        name: 'bot',
      });
      const second = await eventually(async () => {
        const current = await cloudAgentOf(orgSlug, 'bot');
        expect(current.metadata.uid).not.toBe(first.metadata.uid);
        return current;
      });
      ready = true;
      await applying;

      expect(second.spec.agentName).toBe('bot');
    });
  });

  describe('endpointOf', () => {
    async function aRuntimeSlice(orgSlug: string, name: string, endpoints: { ip: string; ready?: boolean }[]) {
      await admin.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
        namespace: orgNamespaceOf(orgSlug),
        body: {
          metadata: { name, labels: { 'kubernetes.io/service-name': 'astromesh-runtime' } },
          addressType: 'IPv4',
          ports: [
            { name: 'metrics', port: 9090, protocol: 'TCP' },
            { name: 'http', port: 8000, protocol: 'TCP' },
          ],
          endpoints: endpoints.map(({ ip, ready }) => ({
            addresses: [ip],
            ...(ready === undefined ? {} : { conditions: { ready } }),
          })),
        },
      });
    }

    it('picks the ready runtime endpoints of the org, round robin, on the http port, with the org token', async () => {
      const orgSlug = anOrgSlug();
      const backend = aBackend();
      await backend.applyOrg({ orgSlug, agents: [], pausedAgents: [], credentials: {} });
      const token = (await secretDataOf(orgSlug))['runtime-token'];
      await aRuntimeSlice(orgSlug, 'runtime-a', [
        { ip: '10.1.0.1', ready: true },
        { ip: '10.1.0.2', ready: false },
      ]);
      await aRuntimeSlice(orgSlug, 'runtime-b', [{ ip: '10.1.0.3' }]);

      const picked = await eventually(async () => {
        const urls = new Set<string>();
        for (let call = 0; call < 4; call++) urls.add((await backend.endpointOf(orgSlug))?.baseUrl ?? 'none');
        expect([...urls].sort()).toEqual(['http://10.1.0.1:8000', 'http://10.1.0.3:8000']);
        return backend.endpointOf(orgSlug);
      });

      expect(picked?.token).toBe(token);
    });

    it('answers undefined while no runtime endpoint of the org is ready', async () => {
      const orgSlug = anOrgSlug();
      const backend = aBackend();
      await backend.applyOrg({ orgSlug, agents: [], pausedAgents: [], credentials: {} });
      await aRuntimeSlice(orgSlug, 'runtime', [{ ip: '10.2.0.1', ready: false }]);

      expect(await backend.endpointOf(orgSlug)).toBeUndefined();
      expect(await aBackend().endpointOf(anOrgSlug())).toBeUndefined();
    });
  });

  describe('the RBAC the chart gives the API', () => {
    it('lets it reach no Secret but the org runtime Secret, and never patch a namespace', async () => {
      const orgSlug = anOrgSlug();
      await aBackend().applyOrg({ orgSlug, agents: [], pausedAgents: [], credentials: {} });
      const namespace = orgNamespaceOf(orgSlug);
      await core().createNamespacedSecret({ namespace, body: { metadata: { name: 'other' }, stringData: { a: 'b' } } });
      const apiCore = asApi.makeApiClient(CoreV1Api);

      await expect(apiCore.readNamespacedSecret({ name: 'other', namespace })).rejects.toMatchObject({ code: 403 });
      await expect(apiCore.listNamespacedSecret({ namespace })).rejects.toMatchObject({ code: 403 });
      await expect(
        apiCore.patchNamespace({ name: namespace, body: { metadata: { labels: { x: 'y' } } } }, mergePatch),
      ).rejects.toMatchObject({ code: 403 });
      await expect(apiCore.listNamespacedPod({ namespace })).rejects.toMatchObject({ code: 403 });
    });
  });

  describe('with the database as the source of truth', () => {
    it('puts back, at the next resync, a CloudAgent deleted by hand and a spec edited by hand', async () => {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      const db = createDatabase(database.url, { log });
      cleanups.push(() => db.end());
      await migrate(db);
      const orgSlug = anOrgSlug();
      const org = await insertOrg(db, { slug: orgSlug, displayName: orgSlug });
      for (const [name, status] of [
        ['bot', 'deployed'],
        ['resting-bot', 'paused'],
      ] as const) {
        const config = WizardConfig.parse({ name, step1: { model: 'openai/gpt-4o-mini' } });
        const agent = await insertAgent(db, { orgId: org?.id as string, config });
        await setAgentStatus(db, agent?.id as string, status);
      }
      anOperator(orgSlug);
      const backend = aBackend();
      const credentialsOf = async () => ({ OPENAI_API_KEY: 'sk-from-the-database' });
      const resync = startPeriodicResync({
        intervalMs: 200,
        resync: () => reconcileDeployments({ db, backend, credentialsOf, log }),
        log,
      });
      cleanups.push(() => resync.stop());
      const namespace = orgNamespaceOf(orgSlug);
      await eventually(async () => expect(await cloudAgentsOf(orgSlug)).toHaveLength(2));

      await customObjects().deleteNamespacedCustomObject({ ...resource, namespace, name: 'bot' });
      await customObjects().patchNamespacedCustomObject(
        {
          ...resource,
          namespace,
          name: 'resting-bot',
          body: { spec: { paused: false } },
          fieldManager: 'kubectl-edit',
        },
        mergePatch,
      );
      await core().deleteNamespacedSecret({ name: orgSecretName, namespace });

      await eventually(async () => {
        expect((await cloudAgentOf(orgSlug, 'bot')).spec.paused).toBe(false);
        expect((await cloudAgentOf(orgSlug, 'resting-bot')).spec.paused).toBe(true);
        expect(load((await secretDataOf(orgSlug))['credentials.yaml'] ?? '')).toEqual({
          OPENAI_API_KEY: 'sk-from-the-database',
        });
      });
    });
  });

  describe('with durable memory (ASTROMESH_MEMORY_ADMIN_URL)', () => {
    const suffix = randomBytes(3).toString('hex');
    const adminRole = `memory_admin_${suffix}`;
    const adminPassword = randomBytes(12).toString('hex');
    let superuserUrl: string;
    let memoryDatabase: { adminUrl: string; drop(): Promise<void> };
    const orgs = [anOrgSlug(), anOrgSlug()];

    const query = async (url: string, sql: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query(sql);
      } finally {
        await client.end();
      }
    };

    beforeAll(async () => {
      // The control plane's tables and the memory schemas share one database, the hardest case: an
      // org's role must still reach nothing but its own schema. The admin is no superuser.
      const database = await createTestDatabase();
      const server = new URL(database.url);
      server.pathname = '/postgres';
      superuserUrl = server.toString();
      const controlPlane = createDatabase(database.url, { log });
      await migrate(controlPlane);
      await controlPlane.end();
      await query(superuserUrl, `CREATE ROLE ${adminRole} LOGIN CREATEROLE PASSWORD '${adminPassword}'`);
      await query(superuserUrl, `ALTER DATABASE ${new URL(database.url).pathname.slice(1)} OWNER TO ${adminRole}`);
      const adminUrl = new URL(database.url);
      adminUrl.username = adminRole;
      adminUrl.password = adminPassword;
      memoryDatabase = { adminUrl: adminUrl.toString(), drop: database.drop };
    });

    afterAll(async () => {
      await memoryDatabase.drop();
      // Roles belong to the whole server, not to the dropped database.
      for (const role of [...orgs.map(memorySchemaOf), adminRole])
        await query(superuserUrl, `DROP ROLE IF EXISTS ${role}`);
    });

    it('gives each org a role and schema of its own: its memory URL works there, and nowhere else', async () => {
      const backend = aBackend({ memory: { adminUrl: memoryDatabase.adminUrl, masterKey: randomBytes(32) } });
      const [orgA, orgB] = orgs as [string, string];
      for (const orgSlug of orgs) await backend.applyOrg({ orgSlug, agents: [], pausedAgents: [], credentials: {} });
      const urlA = (await secretDataOf(orgA))['memory-url'] ?? '';
      const urlB = (await secretDataOf(orgB))['memory-url'] ?? '';
      const [schemaA, schemaB] = [memorySchemaOf(orgA), memorySchemaOf(orgB)];

      await query(urlA, `CREATE TABLE ${schemaA}.turns (content text); INSERT INTO ${schemaA}.turns VALUES ('a')`);
      await query(urlB, `CREATE TABLE ${schemaB}.turns (content text); INSERT INTO ${schemaB}.turns VALUES ('b')`);

      expect(new URL(urlA).username).toBe(schemaA);
      expect((await query(urlA, `SELECT content FROM ${schemaA}.turns`)).rows).toEqual([{ content: 'a' }]);
      await expect(query(urlA, `SELECT * FROM ${schemaB}.turns`)).rejects.toThrow(/permission denied for schema/);
      await expect(query(urlA, `CREATE TABLE ${schemaB}.intruder (x int)`)).rejects.toThrow(/permission denied/);
      for (const table of ['users', 'provider_keys', 'agents']) {
        await expect(query(urlA, `SELECT * FROM public.${table}`)).rejects.toThrow(/permission denied for table/);
      }
      await expect(query(urlA, 'CREATE TABLE public.squatter (x int)')).rejects.toThrow(/permission denied/);
      await expect(query(urlA, 'CREATE TEMP TABLE scratch (x int)')).rejects.toThrow(/permission denied/);
    });

    it("is what the runtime's conversation store needs: with the org's URL and schema it keeps history", async () => {
      const backend = aBackend({ memory: { adminUrl: memoryDatabase.adminUrl, masterKey: randomBytes(32) } });
      const orgSlug = orgs[1] as string;
      await backend.applyOrg({ orgSlug, agents: [], pausedAgents: [], credentials: {} });
      const store = await createPostgresConversationStore({
        connectionString: (await secretDataOf(orgSlug))['memory-url'] ?? '',
        schema: memorySchemaOf(orgSlug),
        log,
      });
      cleanups.push(() => store.close());

      await store.append(`${orgSlug}__bot`, 's1', [{ role: 'user', content: 'remember me' }]);

      expect(await store.history(`${orgSlug}__bot`, 's1')).toMatchObject([{ role: 'user', content: 'remember me' }]);
    });

    it('re-applies idempotently: the same URL, still working', async () => {
      const masterKey = randomBytes(32);
      const backend = aBackend({ memory: { adminUrl: memoryDatabase.adminUrl, masterKey } });
      const orgSlug = orgs[0] as string;
      await backend.applyOrg({ orgSlug, agents: [], pausedAgents: [], credentials: {} });
      const first = (await secretDataOf(orgSlug))['memory-url'];

      await backend.applyOrg({ orgSlug, agents: [], pausedAgents: [], credentials: {} });

      const second = (await secretDataOf(orgSlug))['memory-url'] ?? '';
      expect(second).toBe(first);
      expect((await query(second, 'SELECT current_user AS role')).rows).toEqual([{ role: memorySchemaOf(orgSlug) }]);
    });
  });
});
