import { CoreV1Api } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { memorySchemaOf, orgNamespaceOf } from '../../crds/org-runtime-names.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { eventually } from '../support/eventually.ts';
import { isPodReady } from '../support/is-pod-ready.ts';
import { jsonOf } from '../support/json-of.ts';
import { type AgentSocket, openAgentSocket, type StreamEvent } from '../support/open-agent-socket.ts';
import { release } from './install-astromesh.ts';
import { memoryQuery } from './memory-query.ts';
import { aDeployedOrg, type OrgUser, post } from './org-users.ts';
import { useRealNode } from './use-real-node.ts';

// Issue 11's proof: the chart installed with helm onto a node that runs real containers (runc
// under containerd, CNI networking, kube-proxy Services, CoreDNS, kube-router NetworkPolicies),
// and the whole chain through the API: every org's runtime is a container of the built image.

const podsTimeoutMs = 120_000;

describe('Astromesh Cloud installed with helm on a real node', () => {
  const setup = useRealNode({ deployedOrgs: 0 });
  const sockets: AgentSocket[] = [];

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  const core = () => setup.node.admin.makeApiClient(CoreV1Api);
  const podsOf = async (namespace: string) => (await core().listNamespacedPod({ namespace })).items;
  async function openStream(user: OrgUser): Promise<AgentSocket> {
    const socket = await openAgentSocket(setup.node.apiUrl, {
      path: `/api/v1/orgs/${user.org}/agents/support-bot/stream?token=${encodeURIComponent(user.token)}`,
    });
    sockets.push(socket);
    return socket;
  }

  const run = (user: OrgUser, query: string, sessionId?: string) =>
    user.as('/agents/support-bot/run', post({ query, ...(sessionId ? { session_id: sessionId } : {}) }));

  it('runs the API, the operator and PostgreSQL as Ready pods of the built images', async () => {
    const pods = await podsOf(release.namespace);
    const byComponent = (component: string) =>
      pods.filter((pod) => pod.metadata?.labels?.['app.kubernetes.io/component'] === component);

    expect(byComponent('api').map((pod) => [pod.spec?.containers[0]?.image, isPodReady(pod)])).toEqual([
      [setup.node.images.product, true],
      [setup.node.images.product, true],
    ]);
    expect(byComponent('operator').map((pod) => [pod.spec?.containers[0]?.image, isPodReady(pod)])).toEqual([
      [setup.node.images.product, true],
      [setup.node.images.product, true],
    ]);
    expect(byComponent('postgresql').map((pod) => [pod.spec?.containers[0]?.image, isPodReady(pod)])).toEqual([
      [setup.node.images.postgres, true],
    ]);
    // Each container really runs under containerd: the kubelet reports its container ID.
    for (const pod of pods) expect(pod.status?.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\//);
    const health = await fetch(`${setup.node.apiUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('deploys, runs, streams, remembers, pauses, redeploys and deletes an agent whose runtime is a container', async () => {
    const user = await aDeployedOrg(setup.node.apiUrl, setup.provider.baseUrl);
    const namespace = orgNamespaceOf(user.org);

    // The deploy answered once the operator saw the runtime Ready: its pod already runs.
    const pods = await podsOf(namespace);
    expect(pods.map((pod) => [pod.status?.phase, isPodReady(pod), pod.spec?.containers[0]?.image])).toEqual([
      ['Running', true, setup.node.images.product],
    ]);
    expect(pods[0]?.status?.podIP).toMatch(/^10\.244\.0\./);

    // Sent at once: the org's Service may not route to the new pod yet (kube-proxy and CoreDNS
    // follow it within a second or two); the API tries again until it does, and the caller sees 200.
    setup.provider.fake.setDefaultReply(fakeReply.text('Your order ships on Monday.'));
    const answered = await run(user, 'When does order 77 ship?', 'sess-77');
    expect(answered.status, JSON.stringify(await jsonOf(answered.clone()))).toBe(200);
    setup.provider.fake.setDefaultReply(fakeReply.text('Hello from the fake provider.'));
    expect(await jsonOf(answered)).toMatchObject({ answer: 'Your order ships on Monday.', session_id: 'sess-77' });
    expect(setup.provider.fake.lastRequest.headers.authorization).toBe('Bearer sk-test-key');

    setup.provider.fake.enqueue(fakeReply.text('It leaves our warehouse in Leeds.'));
    const socket = await openStream(user);
    socket.send({ query: 'From where?', session_id: 'sess-77' });
    const events: StreamEvent[] = await socket.untilEnd();
    const tokens = events.filter((event) => event.type === 'token');
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    expect(tokens.map((event) => event.content).join('')).toBe('It leaves our warehouse in Leeds.');
    expect(events.at(-1)).toMatchObject({ type: 'done', answer: 'It leaves our warehouse in Leeds.' });
    // The first turn came back from the org's memory in the bundled PostgreSQL.
    expect(setup.provider.fake.lastRequest.body.messages).toContainEqual({
      role: 'assistant',
      content: 'Your order ships on Monday.',
    });
    const turns = await memoryQuery(
      setup.node,
      user.org,
      `SELECT content FROM ${memorySchemaOf(user.org)}.conversation_turns`,
    );
    expect(turns).toContain('Your order ships on Monday.');
    expect(turns).toContain('It leaves our warehouse in Leeds.');

    const table = await setup.node.kubectl(['get', 'cloudagents', '-A']);
    expect(table.split('\n')[0]).toMatch(
      /^NAMESPACE\s+NAME\s+ORG\s+AGENT\s+MODEL\s+VERSION\s+PHASE\s+READY\s+REASON\s+AGE$/,
    );
    expect(table).toMatch(
      new RegExp(
        `${namespace}\\s+support-bot\\s+${user.org}\\s+support-bot\\s+gpt-4o-mini\\s+1\\s+Ready\\s+True\\s+Serving`,
      ),
    );

    expect((await user.as('/agents/support-bot/pause', post())).status).toBe(200);
    const refused = await run(user, 'Hello?');
    expect(refused.status).toBe(400);
    expect(await jsonOf(refused)).toMatchObject({ error: 'agent_not_deployed' });

    expect((await user.as('/agents/support-bot/deploy', post())).status).toBe(200);
    // The redeploy rolled the runtime to a new pod; sent at once all the same.
    setup.provider.fake.setDefaultReply(fakeReply.text('Back at your service.'));
    const again = await run(user, 'Hello again?');
    expect(again.status, JSON.stringify(await jsonOf(again.clone()))).toBe(200);
    expect(await jsonOf(again)).toMatchObject({ answer: 'Back at your service.' });

    expect((await user.as('/agents/support-bot', { method: 'DELETE' })).status).toBe(204);
    await eventually(async () => expect(await podsOf(namespace)).toEqual([]), {
      timeoutMs: podsTimeoutMs,
      intervalMs: 500,
    });
  }, 300_000);
});
