import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAgentObject } from '../../api/backends/kubernetes/build-cloud-agent.ts';
import { cloudAgentGroup, cloudAgentPlural, cloudAgentVersion } from '../../crds/cloud-agent.ts';
import {
  memorySchemaOf,
  orgNamespaceOf,
  orgSecretName,
  runtimeName,
  runtimePort,
} from '../../crds/org-runtime-names.ts';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeMcpServer } from '../fakes/start-fake-mcp-server.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { eventually } from '../support/eventually.ts';
import { loopbackAddressOf } from '../support/fake-kubelet.ts';
import { isPodReady } from '../support/is-pod-ready.ts';
import { jsonOf } from '../support/json-of.ts';
import { type AgentSocket, openAgentSocket, type StreamEvent } from '../support/open-agent-socket.ts';
import { post, put } from '../support/post.ts';

import { type KubernetesStack, startKubernetesStack, tailOf } from '../support/start-kubernetes-stack.ts';
import type { SignedIn, TestApi } from '../support/start-test-api.ts';

// Issue 5's proof: the Cloud API on the kubernetes backend, the operator as its own process, and
// runtime pods the cluster really runs (a fake kubelet starts `node runtime/main.ts` per pod), all
// with the chart's RBAC. Every test signs up an org of its own, so each starts from an empty
// namespace and a runtime that scales up from zero.

const resource = { group: cloudAgentGroup, version: cloudAgentVersion, plural: cloudAgentPlural };
const compiledSystemPrompt = 'You are Support Agent.\n\nAnswer questions about Acme orders.';
const podsTimeoutMs = 60_000;
const streamErrorTimeoutMs = 15_000;

describe('Astromesh Cloud on Kubernetes, end to end', () => {
  let stack: KubernetesStack;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    stack = await startKubernetesStack();
  }, 300_000);

  afterEach(async (context) => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    if (context.task.result?.state === 'fail' && stack) {
      process.stderr.write(`--- operator log ---\n${tailOf(stack.logFiles.operator, 60)}\n`);
      process.stderr.write(`--- API backend log ---\n${tailOf(stack.logFiles.apiBackend, 30)}\n`);
      process.stderr.write(`--- kubelet log ---\n${tailOf(stack.logFiles.kubelet, 30)}\n`);
    }
  });

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  async function aFakeOpenAi(): Promise<FakeProvider> {
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    return fake;
  }

  /** A fresh org whose openai key points at `fake`, with support-bot created (a draft). */
  async function anOrgUsing(fake: FakeProvider): Promise<SignedIn> {
    const user = await stack.api.signIn();
    const saved = await user.as(
      '/providers',
      post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }),
    );
    expect(saved.status).toBe(200);
    expect((await user.as('/agents', post(aSupportBot))).status).toBe(201);
    return user;
  }

  /** anOrgUsing, with support-bot deployed: its runtime pod runs and is ready. */
  async function aDeployedOrgUsing(fake: FakeProvider): Promise<SignedIn> {
    const user = await anOrgUsing(fake);
    const deployed = await user.as('/agents/support-bot/deploy', post());
    expect(deployed.status, JSON.stringify(await jsonOf(deployed))).toBe(200);
    return user;
  }

  async function openStream(user: SignedIn): Promise<AgentSocket> {
    const socket = await openAgentSocket(stack.api.url, {
      path: `/api/v1/orgs/${user.org}/agents/support-bot/stream?token=${encodeURIComponent(user.token)}`,
    });
    cleanups.push(() => socket.close());
    return socket;
  }

  const run = (user: SignedIn, query: string, sessionId?: string) =>
    user.as('/agents/support-bot/run', post({ query, ...(sessionId ? { session_id: sessionId } : {}) }));

  const cloudAgentsOf = async (org: string) =>
    (
      (await stack.admin
        .makeApiClient(CustomObjectsApi)
        .listNamespacedCustomObject({ ...resource, namespace: orgNamespaceOf(org) })) as { items: CloudAgentObject[] }
    ).items;

  const runtimeDeploymentOf = (org: string): Promise<V1Deployment> =>
    stack.admin
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ namespace: orgNamespaceOf(org), name: runtimeName });

  /** `kubectl get <args>` with the real kubectl, as a cluster admin sees it. */
  const kubectlGet = (...args: string[]) =>
    promisify(execFile)(locateTestBinaries().kubectl, ['--kubeconfig', stack.cluster.kubeconfigPath, 'get', ...args]);

  const podsOf = async (org: string): Promise<V1Pod[]> =>
    (await stack.admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: orgNamespaceOf(org) })).items;

  const secretDataOf = async (org: string): Promise<Record<string, string>> => {
    const secret = await stack.admin
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ namespace: orgNamespaceOf(org), name: orgSecretName });
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
    );
  };

  /** The org's runtime as a pod of another org would reach it: its ready endpoint, no API in between. */
  const runtimeUrlOf = async (org: string): Promise<string> => {
    const slices = await stack.admin.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({
      namespace: orgNamespaceOf(org),
      labelSelector: `kubernetes.io/service-name=${runtimeName}`,
    });
    const [address] = slices.items.flatMap((slice) =>
      (slice.endpoints ?? [])
        .filter((endpoint) => endpoint.conditions?.ready)
        .flatMap((endpoint) => endpoint.addresses),
    );
    if (!address) throw new Error(`org ${org} has no ready runtime endpoint`);
    return `http://${loopbackAddressOf(address)}:${runtimePort}`;
  };

  const query = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };

  /** The stream's events up to its done or error, or a failure after `timeoutMs`: never a hang. */
  const eventsUntilEnd = (socket: AgentSocket, timeoutMs: number): Promise<StreamEvent[]> =>
    Promise.race([
      socket.untilEnd(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no done or error event within ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);

  it('deploys an agent onto a runtime pod the cluster runs, which answers runs and streams through the API', async () => {
    const fake = await aFakeOpenAi();
    const user = await anOrgUsing(fake);

    const deployed = await user.as('/agents/support-bot/deploy', post());

    expect(deployed.status).toBe(200);
    expect((await jsonOf(deployed)).status).toBe('deployed');
    // The deploy answered only once the operator reported Ready: a runtime pod already serves it.
    const pods = await podsOf(user.org);
    expect(pods.map((pod) => ({ phase: pod.status?.phase, ready: isPodReady(pod) }))).toEqual([
      { phase: 'Running', ready: true },
    ]);
    expect(pods[0]?.spec?.containers[0]?.image).toBe('astromesh-runtime:e2e');

    fake.enqueue(fakeReply.text('Your order ships on Monday.'));
    const answered = await run(user, 'When does order 77 ship?', 'sess-77');

    expect(answered.status).toBe(200);
    expect(await jsonOf(answered)).toMatchObject({ answer: 'Your order ships on Monday.', session_id: 'sess-77' });
    expect(fake.lastRequest.body.messages).toEqual([
      { role: 'system', content: compiledSystemPrompt },
      { role: 'user', content: 'When does order 77 ship?' },
    ]);

    fake.enqueue(fakeReply.text('It leaves our warehouse in Leeds.'));
    const socket = await openStream(user);
    socket.send({ query: 'From where?', session_id: 'sess-77' });
    const events = await eventsUntilEnd(socket, 30_000);

    const tokens = events.filter((event) => event.type === 'token');
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    expect(tokens.map((event) => event.content).join('')).toBe('It leaves our warehouse in Leeds.');
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      answer: 'It leaves our warehouse in Leeds.',
      session_id: 'sess-77',
    });
    expect(fake.lastRequest.isStream).toBe(true);
    // The earlier turn came back from the org's memory.
    expect(fake.lastRequest.body.messages).toContainEqual({
      role: 'assistant',
      content: 'Your order ships on Monday.',
    });
  }, 120_000);

  it('answers the official openai client from a runtime pod, streamed and not, with an API key as its bearer', async () => {
    const fake = await aFakeOpenAi();
    const user = await aDeployedOrgUsing(fake);
    const key = await anApiKeyOf(stack.api, { org: user.org, token: user.token });
    const client = new OpenAI({
      baseURL: `${stack.api.url}/api/v1/orgs/${user.org}/v1`,
      apiKey: key.secret,
      maxRetries: 0,
    });
    fake.enqueue(fakeReply.text('Your order ships on Monday.'), fakeReply.text('It leaves our warehouse in Leeds.'));

    const completion = await client.chat.completions.create({
      model: 'support-bot',
      messages: [{ role: 'user', content: 'When does order 77 ship?' }],
    });
    const stream = await client.chat.completions.create({
      model: 'support-bot',
      messages: [{ role: 'user', content: 'From where?' }],
      stream: true,
    });
    const deltas: string[] = [];
    for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');

    expect(completion.choices[0]?.message.content).toBe('Your order ships on Monday.');
    expect(deltas.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(deltas.join('')).toBe('It leaves our warehouse in Leeds.');
  }, 120_000);

  it("calls the org's MCP server from a runtime pod, with the token that reached the pod through the org Secret only", async () => {
    // Private addresses opened, as an admin whose MCP servers run inside the network would: the
    // fake server listens on loopback, and the pods (the fake kubelet's processes) reach it there.
    const api = await stack.startApi({ env: { ASTROMESH_MCP_ALLOW_PRIVATE_NETWORKS: 'true' } });
    cleanups.push(() => api.stop());
    const fake = await aFakeOpenAi();
    const mcp = await startFakeMcpServer();
    cleanups.push(() => mcp.close());
    const user = await api.signIn();
    const mcpToken = 'od-live-3b9e1f7a2c5d8e0f4a6b';
    await user.as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    const saved = await user.as(
      '/mcp-servers/order-desk',
      put({ url: mcp.url, token: mcpToken, tools: ['lookup_order'] }),
    );
    expect(saved.status, await saved.clone().text()).toBe(200);
    const created = await user.as('/agents', post({ ...aSupportBot, step3: { mcp_servers: ['order-desk'] } }));
    expect(created.status, await created.clone().text()).toBe(201);
    const deployed = await user.as('/agents/support-bot/deploy', post());
    expect(deployed.status, JSON.stringify(await jsonOf(deployed))).toBe(200);
    fake.enqueue(
      fakeReply.toolCall('order-desk__lookup_order', { order_id: 'A-17' }),
      fakeReply.text('Order A-17 has shipped.'),
    );

    const answered = await user.as('/agents/support-bot/run', post({ query: 'Where is order A-17?' }));

    expect(answered.status).toBe(200);
    expect(await jsonOf(answered)).toMatchObject({ answer: 'Order A-17 has shipped.' });
    expect(mcp.calls).toEqual(['lookup_order A-17']);
    expect(mcp.requests.length).toBeGreaterThan(0);
    expect(mcp.requests.every((headers) => headers.authorization === `Bearer ${mcpToken}`)).toBe(true);
    expect(JSON.stringify(fake.lastRequest.body.messages)).toContain('shipped (order A-17)');
    // The token is in the org's Secret, which the pod reads; never in the CloudAgent kubectl shows.
    const credentials = (await secretDataOf(user.org))['credentials.yaml'];
    expect(credentials).toContain(`MCP_ORDER_DESK_URL: ${mcp.url}\n`);
    expect(credentials).toContain(`MCP_ORDER_DESK_AUTHORIZATION: Bearer ${mcpToken}\n`);
    expect(JSON.stringify(await cloudAgentsOf(user.org))).not.toContain(mcpToken);
  }, 120_000);

  it('shows the CloudAgent as kubectl would: phase Ready, its conditions True for its generation, and Events', async () => {
    const fake = await aFakeOpenAi();
    const user = await aDeployedOrgUsing(fake);
    const namespace = orgNamespaceOf(user.org);

    const [cloudAgent] = await cloudAgentsOf(user.org);
    const events = await eventually(async () => {
      const list = await stack.admin
        .makeApiClient(CoreV1Api)
        .listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=support-bot' });
      expect(list.items.map((event) => event.reason)).toContain('Ready');
      return list.items;
    });

    const generation = cloudAgent?.metadata.generation;
    expect(cloudAgent?.status?.phase).toBe('Ready');
    expect(cloudAgent?.status?.agentId).toBe(`${user.org}__support-bot`);
    expect(
      cloudAgent?.status?.conditions?.map(({ type, status, observedGeneration }) => ({
        type,
        status,
        observedGeneration,
      })),
    ).toEqual(
      expect.arrayContaining(
        ['Accepted', 'ProviderKeysReady', 'Ready'].map((type) => ({
          type,
          status: 'True',
          observedGeneration: generation,
        })),
      ),
    );
    expect(events.every((event) => event.involvedObject.kind === 'CloudAgent')).toBe(true);
    expect(events.find((event) => event.reason === 'Ready')).toMatchObject({
      type: 'Normal',
      source: { component: 'astromesh-operator' },
    });
  }, 120_000);

  it('refuses runs of a paused agent, serves it again once redeployed, and scales the org to zero when it is deleted', async () => {
    const fake = await aFakeOpenAi();
    const user = await aDeployedOrgUsing(fake);

    const paused = await user.as('/agents/support-bot/pause', post());
    const refused = await run(user, 'Hello?');

    expect(paused.status).toBe(200);
    expect(refused.status).toBe(400);
    expect(await jsonOf(refused)).toMatchObject({ error: 'agent_not_deployed', status: 400 });
    expect((await cloudAgentsOf(user.org)).map((cloudAgent) => cloudAgent.status?.phase)).toEqual(['Paused']);

    const redeployed = await user.as('/agents/support-bot/deploy', post());
    fake.enqueue(fakeReply.text('Back at your service.'));
    const answered = await run(user, 'Hello again?');

    expect(redeployed.status).toBe(200);
    expect(answered.status).toBe(200);
    expect(await jsonOf(answered)).toMatchObject({ answer: 'Back at your service.' });

    const deleted = await user.as('/agents/support-bot', { method: 'DELETE' });

    expect(deleted.status).toBe(204);
    await eventually(async () => expect(await cloudAgentsOf(user.org)).toEqual([]), { timeoutMs: podsTimeoutMs });
    await eventually(async () => expect((await runtimeDeploymentOf(user.org)).spec?.replicas).toBe(0), {
      timeoutMs: podsTimeoutMs,
    });
    await eventually(async () => expect(await podsOf(user.org)).toEqual([]), { timeoutMs: podsTimeoutMs });
    expect(
      [...stack.cluster.kubelet.processes().values()].filter((pod) => pod.namespace === orgNamespaceOf(user.org)),
    ).toEqual([]);
  }, 180_000);

  it("deploys v1, then v2, then rolls back to v1: the rolled-out pod answers with v1's prompt as version 3, which kubectl shows", async () => {
    const fake = await aFakeOpenAi();
    const user = await aDeployedOrgUsing(fake);
    await user.as('/agents/support-bot/pause', post());
    const v2Prompt = 'Answer questions about Acme invoices only.';
    await user.as('/agents/support-bot', {
      method: 'PUT',
      body: JSON.stringify({ step2: { system_prompt: v2Prompt } }),
    });
    const v2 = await jsonOf(await user.as('/agents/support-bot/deploy', post()));
    const onV2 = await jsonOf(await run(user, 'Where is my order?'));
    const v2System = (fake.lastRequest.body.messages as unknown[])[0];

    const rolledBack = await user.as('/agents/support-bot/rollback', post({ version: 1 }));
    const onV1 = await jsonOf(await run(user, 'Where is my order?'));

    expect(v2.version).toBe(2);
    expect(onV2.version).toBe(2);
    expect(v2System).toEqual({ role: 'system', content: `You are Support Agent.\n\n${v2Prompt}` });
    expect(rolledBack.status, JSON.stringify(await jsonOf(rolledBack.clone()))).toBe(200);
    expect(await jsonOf(rolledBack)).toMatchObject({ status: 'deployed', version: 3 });
    // The pod that answered ran the file the API stamped with version 3 (the runtime says so).
    expect(onV1.version).toBe(3);
    expect((fake.lastRequest.body.messages as unknown[])[0]).toEqual({ role: 'system', content: compiledSystemPrompt });
    const [cloudAgent] = await cloudAgentsOf(user.org);
    expect(cloudAgent?.spec.version).toBe(3);
    const { stdout } = await kubectlGet('cloudagents', '-n', orgNamespaceOf(user.org));
    expect(stdout).toMatch(/^NAME\s+ORG\s+AGENT\s+MODEL\s+VERSION\s+PHASE/);
    expect(stdout).toMatch(/\nsupport-bot\s+\S+\s+support-bot\s+gpt-4o-mini\s+3\s+Ready\s/);
  }, 180_000);

  it('ends a stream with an error event when its runtime pod dies mid-answer, and runs again once the kubelet restarts it', async () => {
    const fake = await aFakeOpenAi();
    const user = await aDeployedOrgUsing(fake);
    const [pod] = await podsOf(user.org);
    const namespace = orgNamespaceOf(user.org);
    const podName = pod?.metadata?.name ?? '';
    fake.enqueue(
      fakeReply.text('one two three four five six seven eight nine ten eleven twelve thirteen fourteen', {
        chunkDelayMs: 500,
      }),
    );
    const socket = await openStream(user);
    socket.send({ query: 'Count slowly.' });
    // Up to the first token, or the run's end: a run that ends first fails here, not at the timeout.
    const firstToken = await socket.until((event) => ['token', 'done', 'error'].includes(event.type));
    expect(firstToken.at(-1)).toMatchObject({ type: 'token' });

    stack.cluster.kubelet.killContainer({ namespace, pod: podName });
    const rest = await eventsUntilEnd(socket, streamErrorTimeoutMs);

    expect(rest.at(-1)).toMatchObject({ type: 'error', error: 'runtime_unavailable', status: 502 });

    const restarted = await eventually(
      async () => {
        const current = await stack.admin.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name: podName });
        expect(current.status?.containerStatuses?.[0]?.restartCount).toBe(1);
        expect(isPodReady(current)).toBe(true);
        return current;
      },
      { timeoutMs: podsTimeoutMs },
    );
    fake.setDefaultReply(fakeReply.text('Still here.'));
    const answered = await eventually(
      async () => {
        const response = await run(user, 'Are you back?');
        expect(response.status).toBe(200);
        return jsonOf(response);
      },
      { timeoutMs: podsTimeoutMs, intervalMs: 250 },
    );

    expect(restarted.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(137);
    expect(answered).toMatchObject({ answer: 'Still here.' });
  }, 180_000);

  it("refuses one org's runtime token at another org's runtime, which accepts its own", async () => {
    const fake = await aFakeOpenAi();
    const orgA = await aDeployedOrgUsing(fake);
    const orgB = await aDeployedOrgUsing(fake);
    const tokenOfA = (await secretDataOf(orgA.org))['runtime-token'] ?? '';
    const tokenOfB = (await secretDataOf(orgB.org))['runtime-token'] ?? '';
    const runtimeOfB = await runtimeUrlOf(orgB.org);
    const callB = (token: string) =>
      fetch(`${runtimeOfB}/v1/agents/${orgB.org}__support-bot/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'What does org B know?' }),
      });

    const withTokenOfA = await callB(tokenOfA);
    const withTokenOfB = await callB(tokenOfB);

    expect(tokenOfA).not.toBe('');
    expect(tokenOfA).not.toBe(tokenOfB);
    expect(withTokenOfA.status).toBe(401);
    expect(withTokenOfB.status).toBe(200);
  }, 180_000);

  it("keeps one org's memory credentials out of another org's conversations", async () => {
    const fake = await aFakeOpenAi();
    const orgA = await aDeployedOrgUsing(fake);
    const orgB = await aDeployedOrgUsing(fake);
    expect((await run(orgA, 'A note for org A.', 'sess-a')).status).toBe(200);
    expect((await run(orgB, 'Org B secret: 4242.', 'sess-b')).status).toBe(200);
    const memoryUrlOfA = (await secretDataOf(orgA.org))['memory-url'] ?? '';
    const [schemaA, schemaB] = [memorySchemaOf(orgA.org), memorySchemaOf(orgB.org)];

    const ownTurns = await query(memoryUrlOfA, `SELECT count(*)::int AS turns FROM ${schemaA}.conversation_turns`);
    const otherTurns = query(memoryUrlOfA, `SELECT * FROM ${schemaB}.conversation_turns`);

    expect(memoryUrlOfA).toMatch(/^postgres(ql)?:\/\//);
    expect(ownTurns.rows[0]?.turns).toBeGreaterThan(0);
    await expect(otherTurns).rejects.toMatchObject({ code: '42501' });
    await expect(otherTurns).rejects.toThrow(/permission denied for schema/);
    const writtenInB = await query(
      stack.memoryDatabaseUrl,
      `SELECT count(*)::int AS turns FROM ${schemaB}.conversation_turns`,
    );
    expect(writtenInB.rows[0]?.turns).toBeGreaterThan(0);
  }, 180_000);
  // Last in this file: the sleepy API's sweep looks at every org of the cluster, so orgs of the
  // tests above (finished by now) may sleep too, which wakes them on their next call all the same.
  it('puts an idle org to sleep (0 replicas, CloudAgent Ready with reason Sleeping in kubectl get) and wakes it for the next run', async () => {
    const sleepy: TestApi = await stack.startApi({ env: { ASTROMESH_ORG_IDLE_SECONDS: '2' } });
    cleanups.push(() => sleepy.stop());
    const fake = await aFakeOpenAi();
    const user = await sleepy.signIn();
    await user.as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await user.as('/agents', post(aSupportBot));
    const deployed = await user.as('/agents/support-bot/deploy', post());
    expect(deployed.status, JSON.stringify(await jsonOf(deployed))).toBe(200);
    const namespace = orgNamespaceOf(user.org);

    const row = await eventually(
      async () => {
        expect((await runtimeDeploymentOf(user.org)).spec?.replicas).toBe(0);
        expect((await podsOf(user.org)).filter((pod) => !pod.metadata?.deletionTimestamp)).toEqual([]);
        const { stdout } = await kubectlGet('cloudagents', '-n', namespace);
        const line = stdout.split('\n').find((text) => text.startsWith('support-bot'));
        expect(line?.split(/\s+/).slice(4, 8)).toEqual(['1', 'Ready', 'True', 'Sleeping']);
        return line;
      },
      { timeoutMs: podsTimeoutMs },
    );
    fake.enqueue(fakeReply.text('Awake again.'));
    const answered = await user.as('/agents/support-bot/run', post({ query: 'Are you there?' }));

    expect(row).toBeDefined();
    expect(answered.status).toBe(200);
    // Answered by a runtime pod: the wake scaled the Deployment up and waited for it to be ready.
    expect(await jsonOf(answered)).toMatchObject({ answer: 'Awake again.' });
  }, 180_000);
});
