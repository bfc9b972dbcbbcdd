import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClient, type KubeClient } from '../../operator/kube/kube-client.ts';
import { cloudAgentPath } from '../../operator/kube/object-path.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { serviceAccountTokenFromChart } from '../support/chart-rbac.ts';
import { phaseOf } from '../support/cloud-agent-phase.ts';
import { eventually } from '../support/eventually.ts';
import { createOrgNamespace, writeOrgSecret } from '../support/org-namespace.ts';
import { type AstromeshdProcess, type LogRecord, spawnAstromeshd } from '../support/spawn-astromeshd.ts';
import { kubeconfigYaml } from '../support/start-kube-control-plane.ts';
import { createTestNamespace, testKubeConfig } from '../support/test-kube.ts';

// Generous for a slow machine, and below the lease duration (15 s): an operator that waited
// for its Lease to expire rather than releasing it would still fail.
const exitDeadlineMs = 10_000;
const leaseName = 'astromesh-operator';

const everyOption = [
  '--kubeconfig',
  '--runtime-settings',
  '--runtime-image',
  '--namespace',
  '--leader-elect',
  '--lease-name',
  '--identity',
  '--org-namespace-selector',
  '--host',
  '--port',
  '--workers',
  '--resync-interval',
  '--log-level',
  '--help',
  '-h',
];

describe('node operator/main.ts, run as a command', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    // Every child is killed here, whatever the test did, so a failure never leaves one running.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function aTempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'operator-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** `node operator/main.ts …args` with the Node that runs the tests and only `env` (plus PATH). */
  function spawnOperator(args: string[], env: NodeJS.ProcessEnv = {}): AstromeshdProcess {
    const operator = spawnAstromeshd(['operator/main.ts', ...args], { command: process.execPath, env });
    cleanups.push(() => operator.kill());
    return operator;
  }

  const waitForLog = (operator: AstromeshdProcess, msg: string): Promise<LogRecord> =>
    eventually(
      () => {
        const record = operator.logs().find((candidate) => candidate.msg === msg);
        if (record) return record;
        const state = operator.child.exitCode === null ? 'is running' : `exited (${operator.child.exitCode})`;
        throw new Error(`the operator ${state} and has not logged '${msg}'; stderr:\n${operator.stderr()}`);
      },
      { timeoutMs: 20_000 },
    );

  describe('its command line', () => {
    it('prints the usage, listing every option, and exits 0 for --help', async () => {
      const operator = spawnOperator(['--help']);

      const exit = await operator.exitWithin(exitDeadlineMs);

      expect(exit).toEqual({ code: 0, signal: null });
      expect(operator.stdout()).toMatch(/^astromesh-operator: /);
      for (const option of everyOption) expect(operator.stdout()).toMatch(new RegExp(`\\s${option}[ ,]`));
      expect(operator.stderr()).toBe('');
    });

    it.each([
      {
        problem: 'a --port out of range',
        args: ['--runtime-image', 'astromesh:1', '--port', '99999'],
        named: '--port',
      },
      {
        problem: 'a --port that is not a number',
        args: ['--runtime-image', 'astromesh:1', '--port=http'],
        named: '--port',
      },
      { problem: 'an unknown option', args: ['--runtime-image', 'astromesh:1', '--colour'], named: '--colour' },
      { problem: 'no runtime image', args: [], named: '--runtime-image' },
      {
        problem: 'a --leader-elect that is not a boolean',
        args: ['--runtime-image', 'astromesh:1', '--leader-elect', 'maybe'],
        named: '--leader-elect',
      },
      {
        problem: 'an unknown --log-level',
        args: ['--runtime-image', 'astromesh:1', '--log-level', 'loud'],
        named: '--log-level',
      },
    ])('exits 2 naming the option on stderr for $problem', async ({ args, named }) => {
      const operator = spawnOperator(args);

      const exit = await operator.exitWithin(exitDeadlineMs);

      expect(exit).toEqual({ code: 2, signal: null });
      expect(operator.stderr().split('\n')[0]).toMatch(/^astromesh-operator: /);
      expect(operator.stderr().split('\n')[0]).toContain(named);
      expect(operator.stderr()).toContain('Usage:');
      expect(operator.stdout()).toBe('');
    });

    it('exits 2 naming the environment variable when a bad value comes from it', async () => {
      const operator = spawnOperator([], { ASTROMESH_RUNTIME_IMAGE: 'astromesh:1', ASTROMESH_OPERATOR_PORT: 'http' });

      const exit = await operator.exitWithin(exitDeadlineMs);

      expect(exit).toEqual({ code: 2, signal: null });
      expect(operator.stderr().split('\n')[0]).toMatch(/^astromesh-operator: ASTROMESH_OPERATOR_PORT: /);
    });

    it('exits 2 naming --runtime-settings and the field for a settings file the schema refuses', async () => {
      const file = join(aTempDir(), 'settings.yaml');
      writeFileSync(file, dump({ image: 'astromesh:1', replicas: 'lots' }));
      const operator = spawnOperator(['--runtime-settings', file]);

      const exit = await operator.exitWithin(exitDeadlineMs);

      expect(exit).toEqual({ code: 2, signal: null });
      expect(operator.stderr().split('\n')[0]).toMatch(/^astromesh-operator: --runtime-settings: replicas: /);
      expect(operator.stdout()).toBe('');
    });

    it('exits 2 naming --runtime-settings and the file when it cannot be read', async () => {
      const missing = join(aTempDir(), 'missing.yaml');
      const operator = spawnOperator(['--runtime-settings', missing]);

      const exit = await operator.exitWithin(exitDeadlineMs);

      expect(exit).toEqual({ code: 2, signal: null });
      expect(operator.stderr().split('\n')[0]).toContain(`--runtime-settings: cannot read ${missing}`);
    });
  });

  describe('against an API server, as the Helm chart’s operator ServiceAccount', () => {
    let admin: KubeConfig;
    let adminKube: KubeClient;

    beforeAll(async () => {
      admin = testKubeConfig();
      await applyCrds(admin);
      adminKube = createKubeClient(admin);
      return () => adminKube.close();
    });

    /**
     * A release namespace with the chart's operator RBAC applied in it, and a kubeconfig file
     * holding a token of its ServiceAccount: the process gets exactly the chart's permissions.
     */
    async function aRelease() {
      const namespace = await createTestNamespace(admin, 'astromesh-system');
      const { token } = await serviceAccountTokenFromChart({
        kubeConfig: admin,
        template: 'templates/operator-rbac.yaml',
        namespace,
      });
      const cluster = admin.getCurrentCluster();
      if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
      const caCertificate = cluster.caData
        ? Buffer.from(cluster.caData, 'base64')
        : readFileSync(cluster.caFile as string);
      const kubeconfigPath = join(aTempDir(), 'kubeconfig');
      writeFileSync(
        kubeconfigPath,
        kubeconfigYaml({ server: cluster.server, token, caCertificate, userName: 'astromesh-operator' }),
      );
      return { namespace, kubeconfigPath };
    }

    /**
     * Starts the operator on a free port, electing on the release's Lease and serving only org
     * namespaces of a shard of its own: other test files create org namespaces on this server.
     */
    async function startOperatorProcess(options: { extraArgs?: string[] } = {}) {
      const release = await aRelease();
      const identity = `cli-${randomBytes(4).toString('hex')}`;
      const shard = { 'astromesh.io/test-shard': `cli-${process.pid}-${randomBytes(4).toString('hex')}` };
      const operator = spawnOperator([
        '--kubeconfig',
        release.kubeconfigPath,
        '--runtime-image',
        'astromesh:test',
        '--leader-elect',
        'true',
        '--namespace',
        release.namespace,
        '--identity',
        identity,
        '--org-namespace-selector',
        Object.entries(shard)
          .map(([key, value]) => `${key}=${value}`)
          .join(','),
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        ...(options.extraArgs ?? []),
      ]);
      const { port } = await waitForLog(operator, 'operator listening');
      return {
        operator,
        identity,
        shard,
        url: `http://127.0.0.1:${port as number}`,
        leaseNamespace: release.namespace,
      };
    }

    const leaseHolderIn = async (namespace: string) =>
      (await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: leaseName, namespace })).spec
        ?.holderIdentity;

    async function anOrgWithAnAgent(options: { labels: Record<string, string>; credentials?: Record<string, string> }) {
      const org = await createOrgNamespace(admin, options);
      await adminKube.call({
        method: 'POST',
        path: cloudAgentPath(org.namespace),
        body: aCloudAgent({ namespace: org.namespace, org: org.orgSlug, name: 'support' }),
      });
      return org;
    }

    it('logs JSON lines, becomes ready, leads on the Lease and reconciles an org of its shard', async () => {
      const { operator, identity, shard, url, leaseNamespace } = await startOperatorProcess();

      await eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), { timeoutMs: 20_000 });
      const { namespace } = await anOrgWithAnAgent({ labels: shard });

      await eventually(async () => expect(await phaseOf(adminKube, namespace, 'support')).toBe('Deploying'), {
        timeoutMs: 20_000,
      });
      expect(await leaseHolderIn(leaseNamespace)).toBe(identity);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(operator.stdoutLines().length).toBeGreaterThan(1);
      for (const record of operator.logs()) {
        expect(record).toMatchObject({
          level: expect.any(Number),
          time: expect.any(Number),
          msg: expect.any(String),
          service: 'astromesh-operator',
        });
      }
      expect(operator.logs()).toContainEqual(
        expect.objectContaining({ msg: 'leading: reconciling org namespaces', identity }),
      );
    });

    it('on SIGTERM goes unready, stops its queue, releases the Lease, and exits 0', async () => {
      const { operator, identity, shard, leaseNamespace } = await startOperatorProcess();
      const { namespace } = await anOrgWithAnAgent({ labels: shard });
      await eventually(async () => expect(await phaseOf(adminKube, namespace, 'support')).toBe('Deploying'), {
        timeoutMs: 20_000,
      });
      expect(await leaseHolderIn(leaseNamespace)).toBe(identity);

      operator.child.kill('SIGTERM');

      expect(await operator.exitWithin(exitDeadlineMs)).toEqual({ code: 0, signal: null });
      const shutdown = [
        'signal received',
        'shutting down: readiness off',
        'work queue stopped',
        'released the lease',
        'left the leader election',
        'stopped',
      ].map((msg) => ({ msg, time: operator.logs().find((record) => record.msg === msg)?.time }));
      expect(shutdown.filter(({ time }) => time === undefined)).toEqual([]);
      // In the order of their timestamps, not of the lines: pino writes stdout asynchronously, and
      // the records still queued at process.exit are flushed ahead of one being written.
      const times = shutdown.map(({ time }) => time as number);
      expect(times).toEqual(times.toSorted((a, b) => a - b));
      expect(await leaseHolderIn(leaseNamespace)).toBeFalsy();
      expect(operator.stderr()).toBe('');
    });

    it('never logs what the org Secret holds, at debug level, through a reconcile and a key rotation', async () => {
      const secrets = {
        firstKey: `sk-operator-never-logged-${randomBytes(6).toString('hex')}`,
        secondKey: `sk-operator-rotated-${randomBytes(6).toString('hex')}`,
      };
      const { operator, shard } = await startOperatorProcess({ extraArgs: ['--log-level', 'debug'] });
      const firstCredentials = { OPENAI_API_KEY: secrets.firstKey };
      const org = await anOrgWithAnAgent({ labels: shard, credentials: firstCredentials });
      await eventually(async () => expect(await phaseOf(adminKube, org.namespace, 'support')).toBe('Deploying'), {
        timeoutMs: 20_000,
      });
      const reconciles = () =>
        operator.logs().filter((record) => record.msg === 'org reconciled' && record.namespace === org.namespace)
          .length;
      await eventually(() => expect(reconciles()).toBeGreaterThan(0));
      const reconcilesBeforeRotation = reconciles();

      const secondCredentials = { OPENAI_API_KEY: secrets.secondKey };
      await writeOrgSecret(admin, {
        namespace: org.namespace,
        runtimeToken: org.runtimeToken,
        credentials: secondCredentials,
      });
      await eventually(() => expect(reconciles()).toBeGreaterThan(reconcilesBeforeRotation), { timeoutMs: 20_000 });
      operator.child.kill('SIGTERM');
      await operator.exitWithin(exitDeadlineMs);

      const output = operator.stdout() + operator.stderr();
      expect(operator.logs().some((record) => record.level === 20)).toBe(true);
      // As written and as the API server stores them (base64 in `data`).
      const base64 = (text: string) => Buffer.from(text).toString('base64');
      const forbidden = [
        secrets.firstKey,
        secrets.secondKey,
        org.runtimeToken,
        base64(dump(firstCredentials)),
        base64(dump(secondCredentials)),
        base64(org.runtimeToken),
      ];
      for (const value of forbidden) expect(output).not.toContain(value);
    });
  });
});
