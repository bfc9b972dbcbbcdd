import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAgentObject } from '../../api/backends/kubernetes/build-cloud-agent.ts';
import { createKubernetesBackend } from '../../api/backends/kubernetes/create-kubernetes-backend.ts';
import { compileWizardConfig } from '../../api/compiler/compile-wizard-config.ts';
import { WizardConfig } from '../../api/schemas/wizard-config.ts';
import { cloudAgentGroup, cloudAgentPlural, cloudAgentVersion } from '../../crds/cloud-agent.ts';
import { orgNamespaceOf, orgSecretName } from '../../crds/org-runtime-names.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { apiIdentityFromChart } from '../support/chart-identity.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { type OperatorVerdict, playCloudAgentOperator } from '../support/play-cloud-agent-operator.ts';
import { startApiInProcess } from '../support/start-api-in-process.ts';
import { startTestApi } from '../support/start-test-api.ts';
import { startTestRuntime } from '../support/start-test-runtime.ts';
import { testKubeConfig } from '../support/test-kube.ts';

const resource = { group: cloudAgentGroup, version: cloudAgentVersion, plural: cloudAgentPlural };
const supportBot = { name: 'support-bot', display_name: 'Support Bot', step1: { model: 'openai/gpt-4o-mini' } };
const post = (body?: unknown): RequestInit => ({
  method: 'POST',
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

describe('the Cloud API on the kubernetes backend', () => {
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

  // EndpointSlices refuse loopback addresses: runtimes here listen on 127.0.0.x and their slices
  // say 10.244.0.x, which the API maps back (as the fake kubelet's pod addresses work).
  const reachableAddressOf = (podIp: string) => podIp.replace(/^10\.244\.0\./, '127.0.0.');

  /** A test API whose backend applies CloudAgents as the chart's API ServiceAccount. */
  async function anApi(options: { deployTimeoutMs?: number } = {}) {
    const api = await startTestApi({
      backend: ({ log }) =>
        createKubernetesBackend({
          kubeConfig: asApi,
          log,
          runtimeEndpoints: { kind: 'endpoint-slices', reachableAddressOf },
          deployTimeoutMs: options.deployTimeoutMs ?? 20_000,
          statusPollIntervalMs: 50,
        }),
    });
    cleanups.push(() => api.stop());
    return api;
  }

  function anOperator(org: string, verdict?: (cloudAgent: CloudAgentObject) => OperatorVerdict | undefined) {
    const operator = playCloudAgentOperator({ kubeConfig: admin, namespace: orgNamespaceOf(org), verdict });
    cleanups.push(() => operator.stop());
    return operator;
  }

  const cloudAgentsOf = async (org: string) =>
    (
      (await admin
        .makeApiClient(CustomObjectsApi)
        .listNamespacedCustomObject({ ...resource, namespace: orgNamespaceOf(org) })) as { items: CloudAgentObject[] }
    ).items;
  const secretDataOf = async (org: string) => {
    const secret = await admin
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: orgSecretName, namespace: orgNamespaceOf(org) });
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
    );
  };

  it('deploys an agent as a CloudAgent holding its compiled config, pauses it, and deletes it', async () => {
    const api = await anApi();
    const { org, as } = await api.signIn();
    anOperator(org);
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
      agent: JSON.parse(JSON.stringify(compileWizardConfig({ orgSlug: org, config: WizardConfig.parse(supportBot) }))),
    });
    expect(onDeploy?.status?.phase).toBe('Ready');
    expect(paused.status).toBe(200);
    expect(onPause?.spec.paused).toBe(true);
    expect(onPause?.status?.phase).toBe('Paused');
    expect(deleted.status).toBe(204);
    expect(await cloudAgentsOf(org)).toEqual([]);
  });

  it('keeps a paused agent’s CloudAgent in step with its edited config', async () => {
    const api = await anApi();
    const { org, as } = await api.signIn();
    anOperator(org);
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
  });

  it('answers 504 deploy_timeout when the operator does not confirm a deploy, and leaves the agent a draft with no CloudAgent', async () => {
    const api = await anApi({ deployTimeoutMs: 1_500 });
    const { org, as } = await api.signIn();
    anOperator(org, () => undefined);
    await as('/agents', post(supportBot));

    const response = await as('/agents/support-bot/deploy', post());

    expect(response.status).toBe(504);
    expect(await jsonOf(response)).toMatchObject({
      error: 'deploy_timeout',
      status: 504,
      message: expect.stringContaining('support-bot'),
    });
    expect((await jsonOf(await as('/agents/support-bot'))).status).toBe('draft');
    expect(await cloudAgentsOf(org)).toEqual([]);
  });

  it('answers 504 deploy_timeout when the operator does not confirm a pause, and leaves the agent deployed and its CloudAgent unpaused', async () => {
    const api = await anApi({ deployTimeoutMs: 3_000 });
    const { org, as } = await api.signIn();
    let stalled = false;
    anOperator(org, (cloudAgent) => (stalled ? undefined : { phase: cloudAgent.spec.paused ? 'Paused' : 'Ready' }));
    await as('/agents', post(supportBot));
    expect((await as('/agents/support-bot/deploy', post())).status).toBe(200);
    stalled = true;

    const response = await as('/agents/support-bot/pause', post());

    expect(response.status).toBe(504);
    expect(await jsonOf(response)).toMatchObject({ error: 'deploy_timeout', status: 504 });
    expect((await jsonOf(await as('/agents/support-bot'))).status).toBe('deployed');
    expect((await cloudAgentsOf(org)).map((cloudAgent) => cloudAgent.spec.paused)).toEqual([false]);
  });

  it('answers 502 deployment_failed with the operator’s reason when it marks the agent Failed', async () => {
    const api = await anApi();
    const { org, as } = await api.signIn();
    anOperator(org, () => ({ phase: 'Failed', message: 'the openai provider has no API key' }));
    await as('/agents', post(supportBot));

    const response = await as('/agents/support-bot/deploy', post());

    expect(await jsonOf(response)).toMatchObject({
      error: 'deployment_failed',
      status: 502,
      message: expect.stringContaining("agent 'support-bot' failed: the openai provider has no API key"),
    });
    expect((await jsonOf(await as('/agents/support-bot'))).status).toBe('draft');
    expect(await cloudAgentsOf(org)).toEqual([]);
  });

  it('runs the agent on the runtime its EndpointSlice points at, with the org’s token and credentials', async () => {
    const api = await anApi();
    const { org, as } = await api.signIn();
    anOperator(org);
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    await as('/agents', post(supportBot));
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents/support-bot/deploy', post());
    const notYetServed = await as('/agents/support-bot/run', post({ query: 'Refunds?' }));
    // Play the kubelet: a runtime with what the operator would mount, and its address in a slice.
    const secret = await secretDataOf(org);
    const [cloudAgent] = await cloudAgentsOf(org);
    const runtime = await startTestRuntime({
      agents: { 'support-bot.yaml': dump(cloudAgent?.spec.agent) },
      credentials: load(secret['credentials.yaml'] ?? '') as Record<string, string>,
      authToken: secret['runtime-token'],
    });
    cleanups.push(() => runtime.stop());
    await admin.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace: orgNamespaceOf(org),
      body: {
        metadata: { name: 'astromesh-runtime-1', labels: { 'kubernetes.io/service-name': 'astromesh-runtime' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: Number(new URL(runtime.url).port), protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.244.0.1'], conditions: { ready: true } }],
      },
    });
    fake.setDefaultReply(fakeReply.text('Refunds take five days.'));

    const run = await eventually(async () => {
      const response = await as('/agents/support-bot/run', post({ query: 'Refunds?' }));
      expect(response.status).toBe(200);
      return jsonOf(response);
    });

    expect(await jsonOf(notYetServed)).toMatchObject({
      error: 'runtime_unavailable',
      status: 502,
      message: expect.stringContaining(`no ready runtime endpoint for org ${org}`),
    });
    expect(run).toMatchObject({ answer: 'Refunds take five days.' });
    expect(load(secret['credentials.yaml'] ?? '')).toMatchObject({ OPENAI_API_KEY: 'sk-test-key' });
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
    anOperator(org);
    await as('/agents', post(supportBot));
    expect((await as('/agents/support-bot/deploy', post())).status).toBe(200);
    const [original] = await cloudAgentsOf(org);

    await admin
      .makeApiClient(CustomObjectsApi)
      .deleteNamespacedCustomObject({ ...resource, namespace: orgNamespaceOf(org), name: 'support-bot' });

    const restored = await eventually(async () => {
      const [current] = await cloudAgentsOf(org);
      expect(current?.metadata.uid).toBeDefined();
      expect(current?.metadata.uid).not.toBe(original?.metadata.uid);
      return current;
    });
    expect(restored?.spec).toEqual(original?.spec);
  });
});
