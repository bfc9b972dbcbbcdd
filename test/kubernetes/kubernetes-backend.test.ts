import { randomBytes } from 'node:crypto';
import {
  AppsV1Api,
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
import { cloudAgentGroup, cloudAgentPlural, cloudAgentVersion, runtimeFinalizer } from '../../crds/cloud-agent.ts';
import {
  memorySchemaOf,
  orgNamespaceOf,
  orgSecretName,
  orgSleepAnnotations,
  runtimeName,
} from '../../crds/org-runtime-names.ts';
import { createPostgresConversationStore } from '../../runtime/memory/create-postgres-conversation-store.ts';
import { eventually } from '../support/eventually.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { tailOf } from '../support/start-kubernetes-stack.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { type OperatedCluster, startOperatedCluster } from './start-operated-cluster.ts';

// The operator here is the real one (in this process, with the chart's RBAC) on a cluster whose
// fake kubelet runs runtime pods: every phase the backend waits for is one the operator wrote.
// Where a test needs the operator not to act, it takes it down, as a crash would.

const resource = { group: cloudAgentGroup, version: cloudAgentVersion, plural: cloudAgentPlural };
const log = pino({ level: 'silent' });
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const podsTimeoutMs = 60_000;

const anOrgSlug = () => `org-${randomBytes(4).toString('hex')}`;
const anAgent = (orgSlug: string, name: string, systemPrompt = '') =>
  compileWizardConfig({
    orgSlug,
    config: WizardConfig.parse({
      name,
      display_name: `The ${name}`,
      step1: { model: 'openai/gpt-4o-mini' },
      step2: { system_prompt: systemPrompt },
    }),
  });
// The operator measures the agent file it writes, where YAML spells each U+FEFF as a six-byte
// escape: such an agent takes about 300 KB, and four outgrow the org's 1 MiB agents ConfigMap.
const aLargeAgent = (orgSlug: string, name: string) => anAgent(orgSlug, name, '\uFEFF'.repeat(50_000));

// Several tests wait for runtime pods to start and roll; on a loaded machine that takes a while.
describe('the kubernetes deploy backend, with only the RBAC the chart gives the API', {
  timeout: podsTimeoutMs * 2,
}, () => {
  let operated: OperatedCluster;
  let admin: KubeConfig;
  let asApi: KubeConfig;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    operated = await startOperatedCluster();
    ({ admin, asApi } = operated);
  }, 300_000);

  afterEach(async (context) => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    if (context.task.result?.state === 'fail' && operated) {
      process.stderr.write(`--- operator log ---\n${tailOf(operated.operatorLogFile, 40)}\n`);
    }
    // A test that took the operator down leaves it running for the next one, even if it failed.
    await operated?.startOperator();
  });

  afterAll(async () => {
    await operated?.stop();
  }, 120_000);

  function aBackend(options: Partial<KubernetesBackendOptions> = {}): DeployBackend {
    const backend = createKubernetesBackend({
      kubeConfig: asApi,
      log,
      runtimeEndpoints: { kind: 'endpoint-slices' },
      deployTimeoutMs: podsTimeoutMs,
      ...options,
    });
    cleanups.push(() => backend.close());
    return backend;
  }

  /** An org namespace whose ResourceQuota admits no pod: its runtime can never become ready. */
  async function anOrgWithNoRoomForPods(): Promise<string> {
    const { orgSlug, namespace } = await createOrgNamespace(admin, { withSecret: false });
    await core().createNamespacedResourceQuota({
      namespace,
      body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } },
    });
    return orgSlug;
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
  const readyConditionOf = (cloudAgent: CloudAgentObject) =>
    cloudAgent.status?.conditions?.find((condition) => condition.type === 'Ready');
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
      await operated.stopOperator();
      const agent = anAgent(orgSlug, 'support-bot');
      let applied = false;

      const applying = aBackend()
        .applyOrg({ orgSlug, agents: [agent], pausedAgents: [], credentials: {} })
        .then(() => (applied = true));
      const cloudAgent = await eventually(() => cloudAgentOf(orgSlug, 'support-bot'));
      const appliedWhileNobodyReported = applied;
      await operated.startOperator();
      await applying;

      expect(appliedWhileNobodyReported).toBe(false);
      expect(cloudAgent.metadata.labels).toEqual({ 'astromesh.io/org': orgSlug });
      expect(cloudAgent.spec).toEqual({
        orgSlug,
        agentName: 'support-bot',
        displayName: 'The support-bot',
        paused: false,
        agent: JSON.parse(JSON.stringify(agent)),
      });
      expect(cloudAgent.metadata.managedFields?.map((field) => field.manager)).toContain('astromesh-cloud-api');
      const served = await cloudAgentOf(orgSlug, 'support-bot');
      expect(served.status?.phase).toBe('Ready');
      expect(readyConditionOf(served)).toMatchObject({ status: 'True', reason: 'Serving' });
      const runtime = await admin
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ namespace: orgNamespaceOf(orgSlug), name: runtimeName });
      expect(runtime.status?.availableReplicas).toBe(1);
    });

    it('marks paused agents paused and waits until the operator reports them Paused', async () => {
      const orgSlug = anOrgSlug();
      const backend = aBackend();
      const [bot, helper] = [anAgent(orgSlug, 'bot'), anAgent(orgSlug, 'helper')];
      await backend.applyOrg({ orgSlug, agents: [bot, helper], pausedAgents: [], credentials: {} });

      await backend.applyOrg({ orgSlug, agents: [helper], pausedAgents: [bot], credentials: {} });

      const paused = await cloudAgentOf(orgSlug, 'bot');
      expect(paused.spec.paused).toBe(true);
      expect(paused.status).toMatchObject({ phase: 'Paused', observedGeneration: paused.metadata.generation });
      expect(readyConditionOf(paused)).toMatchObject({ status: 'False', reason: 'Paused' });
      expect((await cloudAgentOf(orgSlug, 'helper')).status?.phase).toBe('Ready');
    });

    it("deletes the CloudAgent of an agent neither deployed nor paused, without waiting for the operator's finalizer", async () => {
      const orgSlug = anOrgSlug();
      const backend = aBackend();
      const [kept, removed] = [anAgent(orgSlug, 'kept'), anAgent(orgSlug, 'removed')];
      await backend.applyOrg({ orgSlug, agents: [kept, removed], pausedAgents: [], credentials: {} });
      expect((await cloudAgentOf(orgSlug, 'removed')).metadata.finalizers).toEqual([runtimeFinalizer]);
      await operated.stopOperator();

      await backend.applyOrg({ orgSlug, agents: [kept], pausedAgents: [], credentials: {} });

      expect((await cloudAgentOf(orgSlug, 'removed')).metadata.deletionTimestamp).toBeDefined();
      await operated.startOperator();
      await eventually(async () =>
        expect((await cloudAgentsOf(orgSlug)).map((cloudAgent) => cloudAgent.metadata.name)).toEqual(['kept']),
      );
    });

    it('applies an agent deployed again once its old CloudAgent has let go of its finalizer', async () => {
      const orgSlug = anOrgSlug();
      const backend = aBackend();
      const bot = anAgent(orgSlug, 'bot');
      await backend.applyOrg({ orgSlug, agents: [bot], pausedAgents: [], credentials: {} });
      const first = await cloudAgentOf(orgSlug, 'bot');
      await operated.stopOperator();
      await backend.applyOrg({ orgSlug, agents: [], pausedAgents: [], credentials: {} });

      const redeploying = backend.applyOrg({ orgSlug, agents: [bot], pausedAgents: [], credentials: {} });
      await operated.startOperator();
      await redeploying;

      const cloudAgent = await cloudAgentOf(orgSlug, 'bot');
      expect(first.metadata.finalizers).toEqual([runtimeFinalizer]);
      expect(cloudAgent.metadata.uid).not.toBe(first.metadata.uid);
      expect(cloudAgent.metadata.deletionTimestamp).toBeUndefined();
      expect(cloudAgent.status?.phase).toBe('Ready');
    });

    it('throws DeployTimeout naming the agent and its phase when the runtime never becomes ready', async () => {
      const orgSlug = await anOrgWithNoRoomForPods();
      const deployment = { orgSlug, agents: [anAgent(orgSlug, 'slow-bot')], pausedAgents: [], credentials: {} };
      await aBackend().applyOrg(deployment, { waitUntilServed: false });
      await eventually(async () => expect((await cloudAgentOf(orgSlug, 'slow-bot')).status?.phase).toBe('Deploying'));

      const applying = aBackend({ deployTimeoutMs: 1_000 }).applyOrg(deployment);

      await expect(applying).rejects.toBeInstanceOf(DeployTimeout);
      await expect(applying).rejects.toThrow('within 1 s (still waiting for slow-bot: Deploying, not Ready)');
    });

    it("fails at once with the operator's reason when it marks a CloudAgent Failed", async () => {
      const orgSlug = anOrgSlug();
      const agents = ['large-1', 'large-2', 'large-3', 'large-4'].map((name) => aLargeAgent(orgSlug, name));

      // The deadline outlives the test (30 s): a CloudAgentFailed, not a DeployTimeout, can only
      // come from the Failed phase, so "at once" is shown by what ends the wait, not by a clock.
      const applying = aBackend({ deployTimeoutMs: 120_000 }).applyOrg({
        orgSlug,
        agents,
        pausedAgents: [],
        credentials: {},
      });

      await expect(applying).rejects.toBeInstanceOf(CloudAgentFailed);
      await expect(applying).rejects.toThrow(
        /^agent 'large-4' failed: spec\.agent: its agent file is \d+ bytes .*the org's agents created before it already take \d+ of the 1048576 bytes .* \(ConfigTooLarge\)$/,
      );
    });

    it('puts back a CloudAgent deleted while it waits', async () => {
      const orgSlug = anOrgSlug();
      await operated.stopOperator();

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
      // It is created with the operator's finalizer on: gone only once the operator lets it go.
      await operated.startOperator();
      await applying;

      const second = await cloudAgentOf(orgSlug, 'bot');
      expect(second.metadata.uid).not.toBe(first.metadata.uid);
      expect(second.spec.agentName).toBe('bot');
      expect(second.status?.phase).toBe('Ready');
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

  describe('a sleeping org', () => {
    /** An org with one agent served, then put to sleep: its CloudAgent says Ready, Sleeping. */
    async function aSleepingOrg(backend: DeployBackend) {
      const orgSlug = anOrgSlug();
      const bot = anAgent(orgSlug, 'bot');
      await backend.applyOrg({ orgSlug, agents: [bot], pausedAgents: [], credentials: {} });
      expect(await backend.sleep?.sleepIfIdleSince(orgSlug, new Date())).toBe(true);
      await eventually(async () =>
        expect(readyConditionOf(await cloudAgentOf(orgSlug, 'bot'))?.reason).toBe('Sleeping'),
      );
      return { orgSlug, bot };
    }
    const sleepingMarkOf = async (orgSlug: string) =>
      (await core().readNamespacedSecret({ name: orgSecretName, namespace: orgNamespaceOf(orgSlug) })).metadata
        ?.annotations?.[orgSleepAnnotations.sleeping];

    it('is woken by a deploy, which answers once the runtime serves the agents', async () => {
      const backend = aBackend();
      const { orgSlug, bot } = await aSleepingOrg(backend);

      await backend.applyOrg({ orgSlug, agents: [bot, anAgent(orgSlug, 'helper')], pausedAgents: [], credentials: {} });

      for (const name of ['bot', 'helper']) {
        expect(readyConditionOf(await cloudAgentOf(orgSlug, name))).toMatchObject({
          status: 'True',
          reason: 'Serving',
        });
      }
      expect(await sleepingMarkOf(orgSlug)).toBeUndefined();
      const runtime = await admin
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ namespace: orgNamespaceOf(orgSlug), name: runtimeName });
      expect(runtime.status?.availableReplicas).toBe(1);
    });

    it('stays asleep through a restore (startup, resync), which nobody waits for', async () => {
      const backend = aBackend();
      const { orgSlug, bot } = await aSleepingOrg(backend);

      await backend.applyOrg({ orgSlug, agents: [bot], pausedAgents: [], credentials: {} }, { waitUntilServed: false });

      expect(await sleepingMarkOf(orgSlug)).toBe('true');
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
      const backend = aBackend();
      const credentialsOf = async () => ({ OPENAI_API_KEY: 'sk-from-the-database' });
      const resync = startPeriodicResync({
        intervalMs: 200,
        resync: () => reconcileDeployments({ db, backend, credentialsOf, log }),
        log,
      });
      cleanups.push(() => resync.stop());
      const namespace = orgNamespaceOf(orgSlug);
      const original = await eventually(() => cloudAgentOf(orgSlug, 'bot'));
      await eventually(() => cloudAgentOf(orgSlug, 'resting-bot'));

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

      // The operator's finalizer goes once it has taken the deleted one out of the runtime; then
      // the resync applies a new one.
      await eventually(
        async () => {
          const bot = await cloudAgentOf(orgSlug, 'bot');
          expect(bot.metadata.uid).not.toBe(original.metadata.uid);
          expect(bot.spec.paused).toBe(false);
          expect((await cloudAgentOf(orgSlug, 'resting-bot')).spec.paused).toBe(true);
          expect(load((await secretDataOf(orgSlug))['credentials.yaml'] ?? '')).toEqual({
            OPENAI_API_KEY: 'sk-from-the-database',
          });
        },
        { timeoutMs: 20_000 },
      );
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
