import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySchemaOf, orgNamespaceOf, runtimeName, runtimePort } from '../../crds/org-runtime-names.ts';
import { nodeLayout } from '../node/node-layout.ts';
import type { AttachedNode } from './attach-real-node.ts';
import { release } from './install-astromesh.ts';
import type { OrgUser } from './org-users.ts';
import { connectFrom, nodeScriptIn, startProbePod } from './probe-pods.ts';
import { useRealNode } from './use-real-node.ts';

// Tenant isolation as the NetworkPolicies of the chart and the operator make it, enforced by a
// real policy engine (kube-router) on the node: every refused connection below is a real
// connection attempt from a real pod, next to a control attempt that gets through. With the
// engine stopped, the refusals connect and these tests fail.

const bystanderNamespace = 'bystander';

describe('tenant isolation on a real node', () => {
  const setup = useRealNode({ deployedOrgs: 2 });
  let node: AttachedNode;
  let metadata: { server: Server; close(): Promise<void> };
  let orgA: OrgUser;
  let orgB: OrgUser;
  let runtimeA: V1Pod;
  let runtimeB: V1Pod;
  let serviceA: string;
  let apiPod: string;

  beforeAll(async () => {
    ({ node } = setup);
    [orgA, orgB] = setup.orgs as [OrgUser, OrgUser];
    metadata = await startFakeMetadataServer(node);
    const core = node.admin.makeApiClient(CoreV1Api);
    const runtimePodOf = async (org: string) => {
      const pods = await core.listNamespacedPod({ namespace: orgNamespaceOf(org) });
      const [pod] = pods.items.filter((candidate) => candidate.status?.phase === 'Running');
      if (!pod) throw new Error(`org ${org} has no running runtime pod`);
      return pod;
    };
    [runtimeA, runtimeB] = await Promise.all([runtimePodOf(orgA.org), runtimePodOf(orgB.org)]);
    serviceA =
      (await core.readNamespacedService({ namespace: orgNamespaceOf(orgA.org), name: runtimeName })).spec?.clusterIP ??
      '';
    const apiPods = await core.listNamespacedPod({
      namespace: release.namespace,
      labelSelector: 'app.kubernetes.io/component=api',
    });
    apiPod = apiPods.items[0]?.metadata?.name ?? '';
    await core.createNamespace({ body: { metadata: { name: bystanderNamespace } } });
    await Promise.all([
      startProbePod(node, { namespace: orgNamespaceOf(orgB.org), name: 'probe' }),
      startProbePod(node, { namespace: bystanderNamespace, name: 'probe' }),
    ]);
  }, 300_000);

  afterAll(async () => {
    await node.admin
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: bystanderNamespace })
      .catch(() => undefined);
    await metadata?.close();
  });

  const fromOrgB = (host: string, port: number) =>
    connectFrom(node, { namespace: orgNamespaceOf(orgB.org), pod: 'probe' }, host, port);
  const fromBystander = (host: string, port: number) =>
    connectFrom(node, { namespace: bystanderNamespace, pod: 'probe' }, host, port);
  const fromApi = (host: string, port: number) =>
    connectFrom(node, { namespace: release.namespace, pod: apiPod }, host, port);
  const fromRuntimeA = (host: string, port: number) =>
    connectFrom(node, { namespace: orgNamespaceOf(orgA.org), pod: runtimeA.metadata?.name ?? '' }, host, port);
  const ipOf = (pod: V1Pod) => pod.status?.podIP ?? '';

  it("admits the API to an org's runtime, and no pod of another org to its pod or its Service", async () => {
    expect(await fromApi(ipOf(runtimeA), runtimePort)).toBe('connected');
    expect(await fromApi(serviceA, runtimePort)).toBe('connected');

    expect(await fromOrgB(ipOf(runtimeA), runtimePort)).not.toBe('connected');
    expect(await fromOrgB(serviceA, runtimePort)).not.toBe('connected');
  });

  it('admits no pod of an unrelated namespace to any runtime, though that pod reaches what is not fenced', async () => {
    expect(await fromBystander(release.metadataAddress, 80)).toBe('connected');

    expect(await fromBystander(ipOf(runtimeA), runtimePort)).not.toBe('connected');
    expect(await fromBystander(ipOf(runtimeB), runtimePort)).not.toBe('connected');
    expect(await fromBystander(serviceA, runtimePort)).not.toBe('connected');
  });

  it('lets a runtime reach its model provider, and not the Kubernetes API, the node, other orgs or cloud metadata', async () => {
    expect(await fromRuntimeA(release.providerAddress, release.providerPort)).toBe('connected');

    expect(await fromRuntimeA('10.96.0.1', 443)).not.toBe('connected');
    expect(await fromRuntimeA(nodeLayout.nodeIp, 6443)).not.toBe('connected');
    expect(await fromRuntimeA(nodeLayout.nodeIp, 10250)).not.toBe('connected');
    expect(await fromRuntimeA(release.metadataAddress, 80)).not.toBe('connected');
    expect(await fromRuntimeA(ipOf(runtimeB), runtimePort)).not.toBe('connected');
    // Only the port the chart allows, even on the provider's own address.
    expect(await fromRuntimeA(release.providerAddress, 80)).not.toBe('connected');
  });

  it("lets a runtime into PostgreSQL as its own memory role only: its schema, not another org's nor the control plane's database", async () => {
    // From inside org A's runtime container, with the credentials it was given (ASTROMESH_MEMORY_URL).
    const attempt = async (sql: string, database?: string) =>
      JSON.parse(
        await nodeScriptIn(
          node,
          { namespace: orgNamespaceOf(orgA.org), pod: runtimeA.metadata?.name ?? '' },
          `
          const url = new URL(process.env.ASTROMESH_MEMORY_URL);
          ${database ? `url.pathname = '/${database}';` : ''}
          const client = new (require('pg').Client)({ connectionString: url.toString() });
          client.connect()
            .then(() => client.query(${JSON.stringify(sql)}))
            .then((result) => console.log(JSON.stringify({ rows: result.rows })))
            .catch((err) => console.log(JSON.stringify({ error: err.message })))
            .finally(() => client.end().catch(() => {}));
        `,
        ),
      );

    expect(await attempt('SELECT current_user AS role')).toEqual({ rows: [{ role: memorySchemaOf(orgA.org) }] });
    expect(
      await attempt(`SELECT has_schema_privilege('${memorySchemaOf(orgA.org)}', 'USAGE,CREATE') AS usable`),
    ).toEqual({ rows: [{ usable: true }] });

    expect(await attempt(`SELECT count(*) FROM ${memorySchemaOf(orgB.org)}.conversation_turns`)).toEqual({
      error: `permission denied for schema ${memorySchemaOf(orgB.org)}`,
    });
    expect((await attempt('SELECT 1', 'astromesh')).error).toMatch(/permission denied for database "astromesh"|pg_hba/);
  });
});

/** A fake cloud metadata endpoint (169.254.169.254:80) inside the node, as clouds have. */
async function startFakeMetadataServer(node: AttachedNode): Promise<{ server: Server; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end('instance-id: i-fake\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const exposed = await node.exposeToNode({
    address: release.metadataAddress,
    port: 80,
    localPort: (server.address() as AddressInfo).port,
  });
  return {
    server,
    close: async () => {
      await exposed.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
