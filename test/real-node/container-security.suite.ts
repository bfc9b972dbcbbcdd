import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { orgNamespaceOf } from '../../crds/org-runtime-names.ts';
import { release } from './install-astromesh.ts';
import type { OrgUser } from './org-users.ts';
import { nodeScriptIn } from './probe-pods.ts';
import { useRealNode } from './use-real-node.ts';

// What the chart and the operator ask of every container, observed on the running containers:
// a non-root uid, a read-only root filesystem with a writable /tmp, no capabilities, and the
// chart's resource limits in the container's own cgroup (cgroup v1, as on these machines).

const mebibytes = (count: number) => String(count * 1024 * 1024);

// Read from inside the container: its uid, whether / and /tmp take a write, its capability sets,
// its cgroup's memory limit and CPU quota.
const inspectScript = `
const fs = require('node:fs');
const tryWrite = (path) => { try { fs.writeFileSync(path, 'x'); fs.rmSync(path); return 'ok'; } catch (err) { return err.code; } };
const status = fs.readFileSync('/proc/self/status', 'utf8');
const readCgroup = (file) => { try { return fs.readFileSync(file, 'utf8').trim(); } catch (err) { return err.code; } };
console.log(JSON.stringify({
  uid: process.getuid(),
  gid: process.getgid(),
  rootWrite: tryWrite('/written-by-test'),
  tmpWrite: tryWrite('/tmp/written-by-test'),
  effectiveCapabilities: /CapEff:\\s*(\\S+)/.exec(status)[1],
  noNewPrivileges: /NoNewPrivs:\\s*(\\S+)/.exec(status)[1],
  memoryLimit: readCgroup('/sys/fs/cgroup/memory/memory.limit_in_bytes'),
  cpuQuota: readCgroup('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'),
  cpuPeriod: readCgroup('/sys/fs/cgroup/cpu/cpu.cfs_period_us'),
}));
`;

describe('containers as the chart runs them on a real node', () => {
  const setup = useRealNode({ deployedOrgs: 1 });
  const org = () => setup.orgs[0] as OrgUser;

  const core = () => setup.node.admin.makeApiClient(CoreV1Api);
  async function inspect(namespace: string, labelSelector?: string) {
    const pods = await core().listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) });
    const pod = pods.items.find((candidate) => candidate.status?.phase === 'Running');
    if (!pod?.metadata?.name) throw new Error(`no running pod in ${namespace} (${labelSelector ?? 'any'})`);
    return JSON.parse(await nodeScriptIn(setup.node, { namespace, pod: pod.metadata.name }, inspectScript));
  }

  it('runs an org runtime as uid 10001 on a read-only root, with no capabilities and the chart’s limits in its cgroup', async () => {
    const runtime = await inspect(orgNamespaceOf(org().org));

    expect(runtime).toEqual({
      uid: 10001,
      gid: 10001,
      rootWrite: 'EROFS',
      tmpWrite: 'ok',
      effectiveCapabilities: '0000000000000000',
      noNewPrivileges: '1',
      // values.yaml runtime.resources.limits: memory 512Mi, cpu "1".
      memoryLimit: mebibytes(512),
      cpuQuota: '100000',
      cpuPeriod: '100000',
    });
  });

  it('runs the API and the operator the same way, with their own limits', async () => {
    const api = await inspect(release.namespace, 'app.kubernetes.io/component=api');
    const operator = await inspect(release.namespace, 'app.kubernetes.io/component=operator');

    // values.yaml api.resources.limits: memory 512Mi, cpu "1"; operator: memory 512Mi, cpu 500m.
    expect(api).toMatchObject({ uid: 10001, rootWrite: 'EROFS', tmpWrite: 'ok', memoryLimit: mebibytes(512) });
    expect(api.cpuQuota).toBe('100000');
    expect(operator).toMatchObject({ uid: 10001, rootWrite: 'EROFS', tmpWrite: 'ok', memoryLimit: mebibytes(512) });
    expect(operator.cpuQuota).toBe('50000');
    expect([api.effectiveCapabilities, operator.effectiveCapabilities]).toEqual([
      '0000000000000000',
      '0000000000000000',
    ]);
  });

  it("refuses, in an org namespace, a pod that Pod Security 'restricted' forbids", async () => {
    const privileged = core().createNamespacedPod({
      namespace: orgNamespaceOf(org().org),
      body: {
        metadata: { name: 'privileged' },
        spec: {
          containers: [
            {
              name: 'root',
              image: setup.node.images.product,
              securityContext: { privileged: true, runAsUser: 0 },
              resources: { limits: { cpu: '100m', memory: '64Mi' } },
            },
          ],
        },
      },
    });

    const refusal = await privileged.then(
      () => undefined,
      (err: unknown) => err as { code?: number; body?: string },
    );
    expect(refusal?.code).toBe(403);
    expect(JSON.parse(refusal?.body ?? '{}').message).toContain('violates PodSecurity "restricted:latest"');
  });
});
