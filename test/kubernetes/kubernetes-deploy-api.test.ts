import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAgentObject } from '../../api/backends/kubernetes/build-cloud-agent.ts';
import {
  createKubernetesBackend,
  type KubernetesBackendOptions,
} from '../../api/backends/kubernetes/create-kubernetes-backend.ts';
import { compileWizardConfig } from '../../api/compiler/compile-wizard-config.ts';
import { WizardConfig } from '../../api/schemas/wizard-config.ts';
import { cloudAgentGroup, cloudAgentPlural, cloudAgentVersion } from '../../crds/cloud-agent.ts';
import { orgNamespaceOf, orgSecretName, runtimeName } from '../../crds/org-runtime-names.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { eventually } from '../support/eventually.ts';
import { loopbackAddressOf } from '../support/fake-kubelet.ts';
import { jsonOf } from '../support/json-of.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { post } from '../support/post.ts';
import { startApiInProcess } from '../support/start-api-in-process.ts';
import { tailOf } from '../support/start-kubernetes-stack.ts';
import { startTestApi } from '../support/start-test-api.ts';
import { type OperatedCluster, startOperatedCluster } from './start-operated-cluster.ts';

// The operator here is the real one (in this process, with the chart's RBAC) on a cluster whose
// fake kubelet runs runtime pods: a deploy answers 200 once a runtime pod serves the agent, 502
// when the operator refuses the spec, 504 when the runtime never becomes ready or the operator
// is down. Every test signs up an org of its own.

const resource = { group: cloudAgentGroup, version: cloudAgentVersion, plural: cloudAgentPlural };
const supportBot = { name: 'support-bot', display_name: 'Support Bot', step1: { model: 'openai/gpt-4o-mini' } };
// Time enough for a runtime pod to start on a busy machine.
const podsTimeoutMs = 60_000;

// Each test waits for one to three runtime pods to start; on a loaded machine that takes a while.
describe('the Cloud API on the kubernetes backend, with the real operator', { timeout: podsTimeoutMs * 2 }, () => {
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

  /**
   * A test API whose backend applies CloudAgents as the chart's API ServiceAccount. Its options
   * are returned: the backend reads the deploy timeout at each apply, so a test can shorten it
   * once its agent is deployed.
   */
  async function anApi(options: { deployTimeoutMs?: number } = {}) {
    const backendOptions: KubernetesBackendOptions = {
      kubeConfig: asApi,
      log: pino({ level: 'silent' }),
      runtimeEndpoints: { kind: 'endpoint-slices', reachableAddressOf: loopbackAddressOf },
      deployTimeoutMs: options.deployTimeoutMs ?? podsTimeoutMs,
    };
    const api = await startTestApi({ backend: () => createKubernetesBackend(backendOptions) });
    cleanups.push(() => api.stop());
    return { api, backendOptions };
  }

  const cloudAgentsOf = async (org: string) =>
    (
      (await admin
        .makeApiClient(CustomObjectsApi)
        .listNamespacedCustomObject({ ...resource, namespace: orgNamespaceOf(org) })) as { items: CloudAgentObject[] }
    ).items;
  const readyConditionOf = (cloudAgent: CloudAgentObject | undefined) =>
    cloudAgent?.status?.conditions?.find((condition) => condition.type === 'Ready');
  const runtimeDeploymentOf = (org: string) =>
    admin.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: orgNamespaceOf(org), name: runtimeName });
  const secretDataOf = async (org: string) => {
    const secret = await admin
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: orgSecretName, namespace: orgNamespaceOf(org) });
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
    );
  };

  /** The org's namespace, made before its first deploy, with a ResourceQuota that admits no pod. */
  async function noRoomForPodsIn(org: string): Promise<void> {
    const { namespace } = await createOrgNamespace(admin, { orgSlug: org, withSecret: false });
    await admin.makeApiClient(CoreV1Api).createNamespacedResourceQuota({
      namespace,
      body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } },
    });
  }

  it('deploys an agent as a CloudAgent holding its compiled config, pauses it, and deletes it', async () => {
    const { api } = await anApi();
    const { org, as } = await api.signIn();
    await as('/agents', post(supportBot));

    const deployed = await as('/agents/support-bot/deploy', post());
    const [onDeploy] = await cloudAgentsOf(org);
    const paused = await as('/agents/support-bot/pause', post());
    const [onPause] = await cloudAgentsOf(org);
    const deleted = await as('/agents/support-bot', { method: 'DELETE' });

    expect(deployed.status).toBe(200);
    expect(onDeploy?.spec).toEqual({
      orgSlug: org,
      agentName: 'support-bot',
      displayName: 'Support Bot',
      paused: false,
      version: 1,
      agent: JSON.parse(
        JSON.stringify(compileWizardConfig({ orgSlug: org, config: WizardConfig.parse(supportBot), version: 1 })),
      ),
    });
    expect(onDeploy?.status?.phase).toBe('Ready');
    expect(readyConditionOf(onDeploy)).toMatchObject({ status: 'True', reason: 'Serving' });
    expect(paused.status).toBe(200);
    expect(onPause?.spec.paused).toBe(true);
    expect(onPause?.status?.phase).toBe('Paused');
    expect(readyConditionOf(onPause)).toMatchObject({ status: 'False', reason: 'Paused' });
    expect(deleted.status).toBe(204);
    // The operator's finalizer goes once the runtime no longer serves the agent.
    await eventually(async () => expect(await cloudAgentsOf(org)).toEqual([]));
  });

  it('keeps a paused agent’s CloudAgent in step with its edited config', async () => {
    const { api } = await anApi();
    const { org, as } = await api.signIn();
    await as('/agents', post(supportBot));
    await as('/agents/support-bot/deploy', post());
    await as('/agents/support-bot/pause', post());

    const edited = await as('/agents/support-bot', {
      method: 'PUT',
      body: JSON.stringify({ step1: { model: 'anthropic/claude-sonnet-4-20250514' } }),
    });

    expect(edited.status).toBe(200);
    const [cloudAgent] = await cloudAgentsOf(org);
    expect(cloudAgent?.spec.paused).toBe(true);
    expect(cloudAgent?.spec.agent.spec.model.primary).toMatchObject({ provider: 'anthropic' });
    // The edited config is no version yet: the CloudAgent no longer claims the deployed one.
    expect(cloudAgent?.spec.version).toBeUndefined();
    expect(cloudAgent?.spec.agent.metadata.version).toBeUndefined();
  });

  it('answers 504 deploy_timeout when the org’s runtime never becomes ready, leaves the agent a draft, and puts the org back', async () => {
    const { api } = await anApi({ deployTimeoutMs: 8_000 });
    const { org, as } = await api.signIn();
    await noRoomForPodsIn(org);
    await as('/agents', post(supportBot));

    const response = await as('/agents/support-bot/deploy', post());

    expect(response.status).toBe(504);
    expect(await jsonOf(response)).toMatchObject({
      error: 'deploy_timeout',
      status: 504,
      message: expect.stringContaining('still waiting for support-bot: Deploying, not Ready'),
    });
    expect((await jsonOf(await as('/agents/support-bot'))).status).toBe('draft');
    // Put back as the database says: no CloudAgent (once the operator's finalizer goes), and the
    // operator scales the runtime of an org that serves nothing to zero.
    await eventually(async () => {
      expect(await cloudAgentsOf(org)).toEqual([]);
      expect((await runtimeDeploymentOf(org)).spec?.replicas).toBe(0);
    });
  });

  it('answers 504 deploy_timeout when the operator is down during a pause, and leaves the agent deployed and its CloudAgent unpaused', async () => {
    const { api, backendOptions } = await anApi();
    const { org, as } = await api.signIn();
    await as('/agents', post(supportBot));
    expect((await as('/agents/support-bot/deploy', post())).status).toBe(200);
    await operated.stopOperator();
    backendOptions.deployTimeoutMs = 2_000;

    const response = await as('/agents/support-bot/pause', post());

    expect(response.status).toBe(504);
    expect(await jsonOf(response)).toMatchObject({ error: 'deploy_timeout', status: 504 });
    expect((await jsonOf(await as('/agents/support-bot'))).status).toBe('deployed');
    expect((await cloudAgentsOf(org)).map((cloudAgent) => cloudAgent.spec.paused)).toEqual([false]);
  });

  it('answers 502 deployment_failed with what the operator says to fix when the agent does not fit beside the org’s others', async () => {
    const { api } = await anApi();
    const { org, as } = await api.signIn();
    // The operator measures the agent file it writes, where YAML spells each U+FEFF as a six-byte
    // escape: each of these agents takes about 300 KB, and the fourth outgrows the org's 1 MiB
    // agents ConfigMap. The API takes them: a prompt may be 50,000 characters.
    const names = ['large-1', 'large-2', 'large-3', 'large-4'];
    for (const name of names) {
      const created = await as(
        '/agents',
        post({ ...supportBot, name, step2: { system_prompt: '\uFEFF'.repeat(50_000) } }),
      );
      expect(created.status).toBe(201);
    }
    for (const name of names.slice(0, 3)) expect((await as(`/agents/${name}/deploy`, post())).status).toBe(200);

    const response = await as('/agents/large-4/deploy', post());

    expect(response.status).toBe(502);
    const body = await jsonOf(response);
    expect(body).toMatchObject({ error: 'deployment_failed', status: 502 });
    expect(body.message).toMatch(
      /agent 'large-4' failed: spec\.agent: its agent file is \d+ bytes \(its largest field is spec\.agent\.spec\.prompts\.system: \d+ bytes\), and the org's agents created before it already take \d+ of the 1048576 bytes their ConfigMap may hold: shorten this agent, or remove or pause another \(ConfigTooLarge\)/,
    );
    expect((await jsonOf(await as('/agents/large-4'))).status).toBe('draft');
    for (const name of names.slice(0, 3)) expect((await jsonOf(await as(`/agents/${name}`))).status).toBe('deployed');
    await eventually(async () =>
      expect(
        (await cloudAgentsOf(org)).map((cloudAgent) => [cloudAgent.metadata.name, cloudAgent.status?.phase]),
      ).toEqual([
        ['large-1', 'Ready'],
        ['large-2', 'Ready'],
        ['large-3', 'Ready'],
      ]),
    );
  });

  it('runs the agent on the org’s runtime pod with the org’s credentials, and answers runtime_unavailable while no pod is ready', async () => {
    const { api } = await anApi();
    const { org, as } = await api.signIn();
    const fake = await startFakeProvider('openai', { apiKey: 'sk-test-key' });
    cleanups.push(() => fake.close());
    fake.setDefaultReply(fakeReply.text('Refunds take five days.'));
    await as('/agents', post(supportBot));
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    expect((await as('/agents/support-bot/deploy', post())).status).toBe(200);
    const runs = async (status: number) => {
      const response = await as('/agents/support-bot/run', post({ query: 'Refunds?' }));
      expect(response.status).toBe(status);
      return jsonOf(response);
    };

    // Sent at once: should the EndpointSlice trail the rollout, the API tries again until it routes.
    const served = await runs(200);
    await operated.stopOperator();
    await admin
      .makeApiClient(AppsV1Api)
      .patchNamespacedDeployment(
        { namespace: orgNamespaceOf(org), name: runtimeName, body: { spec: { replicas: 0 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    // First the stopping pod refuses connections; then its endpoint leaves the slice. The API tries
    // again for ASTROMESH_RUNTIME_RETRY_SECONDS (10) and answers with the last failure.
    const unavailable = await eventually(
      async () => {
        const body = await runs(502);
        expect(body.message).toContain('no ready runtime endpoint');
        return body;
      },
      { timeoutMs: 30_000 },
    );
    await operated.startOperator();
    const servedAgain = await eventually(() => runs(200), { timeoutMs: podsTimeoutMs });

    expect(served).toMatchObject({ answer: 'Refunds take five days.' });
    expect(fake.lastRequest.headers.authorization).toBe('Bearer sk-test-key');
    expect(load((await secretDataOf(org))['credentials.yaml'] ?? '')).toMatchObject({ OPENAI_API_KEY: 'sk-test-key' });
    expect(unavailable).toMatchObject({
      error: 'runtime_unavailable',
      status: 502,
      message: expect.stringContaining(`no ready runtime endpoint for org ${org}`),
    });
    expect(servedAgain).toMatchObject({ answer: 'Refunds take five days.' });
  });

  it('starts with ASTROMESH_BACKEND=kubernetes and puts back a CloudAgent deleted by hand at the next resync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'astromesh-kubeconfig-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, asApi.exportConfig(), { mode: 0o600 });
    const started = await startApiInProcess({
      env: {
        ASTROMESH_BACKEND: 'kubernetes',
        ASTROMESH_KUBECONFIG: kubeconfigPath,
        ASTROMESH_RUNTIME_ENDPOINTS: 'endpoint-slices',
        ASTROMESH_RESYNC_INTERVAL_SECONDS: '1',
        ASTROMESH_DEPLOY_TIMEOUT_SECONDS: '30',
      },
    });
    cleanups.push(() => started.stop());
    const call = async (path: string, init: RequestInit & { token?: string } = {}) => {
      const headers = new Headers(init.headers);
      if (init.token) headers.set('authorization', `Bearer ${init.token}`);
      if (init.body) headers.set('content-type', 'application/json');
      return fetch(`${started.url}/api/v1${path}`, { ...init, headers });
    };
    const login = await jsonOf(await call('/auth/dev/login', post({ email: 'kube@example.com', name: 'Kube' })));
    const org: string = login.org_slug;
    const as = (path: string, init: RequestInit = {}) =>
      call(`/orgs/${org}${path}`, { ...init, token: login.access_token });
    await as('/agents', post(supportBot));
    expect((await as('/agents/support-bot/deploy', post())).status).toBe(200);
    const [original] = await cloudAgentsOf(org);

    await admin
      .makeApiClient(CustomObjectsApi)
      .deleteNamespacedCustomObject({ ...resource, namespace: orgNamespaceOf(org), name: 'support-bot' });

    // Once the operator's finalizer lets the deleted one go, the resync applies it again.
    const restored = await eventually(
      async () => {
        const [current] = await cloudAgentsOf(org);
        expect(current?.metadata.uid).toBeDefined();
        expect(current?.metadata.uid).not.toBe(original?.metadata.uid);
        return current;
      },
      { timeoutMs: 20_000 },
    );
    expect(restored?.spec).toEqual(original?.spec);
  });
});
