import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Container, V1Deployment, V1EnvVar, V1PodSpec, V1StatefulSet } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../api/config/api-config.ts';
import { orgLabel } from '../../crds/org-runtime-names.ts';
import { parseOperatorOptions } from '../../operator/cli-options.ts';
import { runtimePodLabels } from '../../operator/reconcile/org-labels.ts';
import {
  type ChartValues,
  chartDir,
  kubeVersion,
  parseManifests,
  type RenderedObject,
  renderChart,
  runHelm,
  templateChart,
  theObject,
  writeValuesFile,
} from '../support/helm-chart.ts';
import { valueCombinations } from '../support/helm-value-combinations.ts';

const namespace = 'astromesh-system';
const committedCrd = join(import.meta.dirname, '..', '..', 'crds', 'cloudagents.astromesh.io.yaml');

const scratch = mkdtempSync(join(tmpdir(), 'chart-render-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const render = (values: ChartValues = {}, release = 'astromesh') => renderChart({ release, namespace, values });
const deployment = (objects: RenderedObject[], suffix: string) =>
  theObject(objects, 'Deployment', suffix) as unknown as V1Deployment;
const podSpecOf = (workload: V1Deployment | V1StatefulSet): V1PodSpec => {
  const spec = workload.spec?.template.spec;
  if (!spec) throw new Error(`${workload.metadata?.name} has no pod spec`);
  return spec;
};
const containerOf = (workload: V1Deployment | V1StatefulSet): V1Container => {
  const [container] = podSpecOf(workload).containers;
  if (!container) throw new Error(`${workload.metadata?.name} has no container`);
  return container;
};
const runtimeSettingsOf = (objects: RenderedObject[]) =>
  load(
    (theObject(objects, 'ConfigMap', '-runtime-settings') as { data: Record<string, string> }).data[
      'runtime-settings.yaml'
    ] ?? '',
  );

/** The operator's own command-line parser, given the rendered args and the pod's environment. */
function operatorOptionsOf(objects: RenderedObject[]) {
  const settingsFile = join(scratch, `settings-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    settingsFile,
    (theObject(objects, 'ConfigMap', '-runtime-settings') as { data: Record<string, string> }).data[
      'runtime-settings.yaml'
    ] ?? '',
  );
  const operator = containerOf(deployment(objects, '-operator'));
  const args = (operator.args ?? []).map((arg) =>
    arg.startsWith('--runtime-settings=') ? `--runtime-settings=${settingsFile}` : arg,
  );
  const parsed = parseOperatorOptions(args, { POD_NAMESPACE: namespace, POD_NAME: 'astromesh-operator-7d9f-x2' });
  if (parsed === 'help') throw new Error('the operator was asked for help');
  return { parsed, operator };
}

/** The API container's environment as the kubelet would give it, Secret values made up. */
function apiEnvironmentOf(objects: RenderedObject[]): NodeJS.ProcessEnv {
  const fromSecrets: Record<string, string> = {
    DATABASE_URL: 'postgres://astromesh:secret@db.example:5432/astromesh',
    ASTROMESH_MEMORY_ADMIN_URL: 'postgres://astromesh:secret@db.example:5432/astromesh_memory',
    ASTROMESH_JWT_SECRET: 'j'.repeat(48),
    ASTROMESH_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  };
  const env = containerOf(deployment(objects, '-api')).env ?? [];
  return Object.fromEntries(
    env.map((variable: V1EnvVar) => [variable.name, variable.value ?? fromSecrets[variable.name] ?? 'unknown']),
  );
}

describe('the astromesh-cloud chart, rendered', () => {
  describe.each(Object.entries(valueCombinations))('with %s', (_name, values) => {
    it('passes helm lint --strict', async () => {
      const { stdout } = await runHelm([
        'lint',
        chartDir,
        '--strict',
        '--kube-version',
        kubeVersion(),
        '--namespace',
        namespace,
        '--values',
        writeValuesFile(values),
      ]);

      expect(stdout).toContain('0 chart(s) failed');
    });

    it('gives the operator settings and a command line that the operator itself accepts', async () => {
      const objects = await render(values);

      const { parsed } = operatorOptionsOf(objects);

      expect(parsed.settings.api.namespace).toBe(namespace);
      expect(parsed.leaseNamespace).toBe(namespace);
    });

    it('gives the API an environment that the API itself accepts, in production mode on the kubernetes backend', async () => {
      const objects = await render(values);

      const config = loadApiConfig(apiEnvironmentOf(objects));

      expect(config).toMatchObject({
        mode: 'production',
        host: '0.0.0.0',
        port: 8080,
        backend: 'kubernetes',
        devLoginEnabled: false,
        kubernetes: { runtimeEndpoints: 'service-dns', clusterDomain: 'cluster.local', kubeconfigPath: undefined },
      });
    });

    it('labels the API pods exactly as the runtime settings admit them to org runtimes', async () => {
      const objects = await render(values);

      const settings = runtimeSettingsOf(objects) as { api: { namespace: string; podLabels: Record<string, string> } };
      const api = deployment(objects, '-api');

      expect(settings.api.namespace).toBe(namespace);
      expect(api.spec?.template.metadata?.labels).toMatchObject(settings.api.podLabels);
      expect(api.spec?.selector.matchLabels).toEqual(settings.api.podLabels);
    });

    it('runs every container as a non-root user with a read-only root filesystem, no capabilities and RuntimeDefault seccomp', async () => {
      const objects = await render(values);

      const workloads = objects.filter((object) => ['Deployment', 'StatefulSet'].includes(object.kind ?? ''));
      for (const workload of workloads as unknown as V1Deployment[]) {
        const pod = podSpecOf(workload);
        expect(pod.securityContext, workload.metadata?.name).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        for (const container of pod.containers) {
          expect(container.securityContext, `${workload.metadata?.name}/${container.name}`).toMatchObject({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          });
        }
      }
      expect(workloads.length).toBeGreaterThanOrEqual(2);
    });

    it('labels every object per Helm conventions', async () => {
      const objects = await render(values, 'labelled');

      for (const object of objects) {
        expect(object.metadata?.labels, `${object.kind} ${object.metadata?.name}`).toMatchObject({
          'helm.sh/chart': 'astromesh-cloud-0.1.0',
          'app.kubernetes.io/name': 'astromesh-cloud',
          'app.kubernetes.io/instance': 'labelled',
          'app.kubernetes.io/version': '0.1.0',
          'app.kubernetes.io/managed-by': 'Helm',
          'app.kubernetes.io/component': expect.stringMatching(/^(api|operator|postgresql)$/),
        });
      }
    });
  });

  describe('the operator', () => {
    it('runs node operator/main.ts with the settings file mounted, its pod identity, and probes on /healthz and /readyz', async () => {
      const objects = await render();

      const operatorDeployment = deployment(objects, '-operator');
      const { operator, parsed } = operatorOptionsOf(objects);

      // A 2 MiB semi-space: the operator's memory goal (issue 13), measured in its bench.
      expect(operator.command).toEqual(['node', '--max-semi-space-size=2', 'operator/main.ts']);
      expect(operator.env).toEqual([
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ]);
      expect(operator.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(operator.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(operator.ports).toEqual([{ name: 'http', containerPort: parsed.port, protocol: 'TCP' }]);
      expect(operator.volumeMounts).toContainEqual({
        name: 'runtime-settings',
        mountPath: '/etc/astromesh',
        readOnly: true,
      });
      expect(podSpecOf(operatorDeployment).volumes).toContainEqual({
        name: 'runtime-settings',
        configMap: { name: 'astromesh-astromesh-cloud-runtime-settings' },
      });
      expect(parsed.identity).toBe('astromesh-operator-7d9f-x2');
    });

    it('elects a leader only with more than one replica, and replaces a single replica rather than running two', async () => {
      const single = await render();
      const three = await render({ operator: { replicas: 3 } });

      expect(operatorOptionsOf(single).parsed.leaderElect).toBe(false);
      expect(deployment(single, '-operator').spec?.strategy).toEqual({ type: 'Recreate' });
      expect(operatorOptionsOf(three).parsed.leaderElect).toBe(true);
      expect(deployment(three, '-operator').spec?.strategy?.type).toBe('RollingUpdate');
      expect(deployment(three, '-operator').spec?.replicas).toBe(3);
    });

    it('holds a Lease of the very name the Role lets it update', async () => {
      const objects = await render({ operator: { replicas: 2 } });

      const role = theObject(objects, 'Role', '-operator-leader-election') as {
        rules: { resourceNames?: string[] }[];
      };

      expect(role.rules.flatMap((rule) => rule.resourceNames ?? [])).toEqual([
        operatorOptionsOf(objects).parsed.leaseName,
      ]);
    });

    it('serves its metrics port through a Service', async () => {
      const objects = await render({ operator: { port: 9090 } });

      const service = theObject(objects, 'Service', '-operator-metrics') as { spec: Record<string, unknown> };

      expect(service.spec.ports).toEqual([{ name: 'metrics', port: 9090, targetPort: 'http', protocol: 'TCP' }]);
      expect(service.spec.selector).toEqual(deployment(objects, '-operator').spec?.selector.matchLabels);
      expect(operatorOptionsOf(objects).parsed.port).toBe(9090);
    });

    it('rolls its pods when the runtime settings change, and only then', async () => {
      const checksumOf = async (values: ChartValues) =>
        deployment(await render(values), '-operator').spec?.template.metadata?.annotations?.[
          'checksum/runtime-settings'
        ];

      const base = await checksumOf({});

      expect(await checksumOf({ api: { replicas: 5 } })).toBe(base);
      expect(await checksumOf({ runtime: { replicas: 2 } })).not.toBe(base);
      expect(await checksumOf({ runtime: { runtimeClassName: 'gvisor' } })).not.toBe(base);
    });
  });

  describe('the runtime settings', () => {
    it('carry the runtime image, pull Secrets, replicas, resources, data size limit, quota, RuntimeClass and egress allowlist', async () => {
      const objects = await render({
        image: { repository: 'registry.example/astromesh', tag: '1.2.3' },
        runtime: {
          replicas: 2,
          imagePullSecrets: [{ name: 'regcred' }],
          runtimeClassName: 'gvisor',
          dataSizeLimit: '1Gi',
          resources: { requests: { cpu: 0.5, memory: '300Mi' }, limits: { cpu: 2, memory: '1Gi' } },
          quota: { requestsCpu: 3, pods: 20, cloudAgents: 30 },
          egressAllow: [{ namespace: 'ollama', port: 11434 }],
        },
        memory: { enabled: false },
      });

      const { parsed } = operatorOptionsOf(objects);

      expect(parsed.settings).toEqual({
        image: 'registry.example/astromesh:1.2.3',
        imagePullPolicy: 'IfNotPresent',
        replicas: 2,
        imagePullSecrets: ['regcred'],
        resources: { requests: { cpu: '0.5', memory: '300Mi' }, limits: { cpu: '2', memory: '1Gi' } },
        runtimeClassName: 'gvisor',
        dataSizeLimit: '1Gi',
        quota: {
          requestsCpu: '3',
          requestsMemory: '2Gi',
          limitsCpu: '4',
          limitsMemory: '4Gi',
          pods: 20,
          cloudAgents: 30,
        },
        api: {
          namespace,
          podLabels: {
            'app.kubernetes.io/name': 'astromesh-cloud',
            'app.kubernetes.io/instance': 'astromesh',
            'app.kubernetes.io/component': 'api',
          },
        },
        egressAllow: [{ namespace: 'ollama', port: 11434 }],
      });
    });

    it('name a runtime image of its own when runtime.image says so', async () => {
      const objects = await render({
        runtime: { image: { repository: 'registry.example/astromeshd', tag: '9.9.9', pullPolicy: 'Always' } },
      });

      expect(operatorOptionsOf(objects).parsed.settings).toMatchObject({
        image: 'registry.example/astromeshd:9.9.9',
        imagePullPolicy: 'Always',
      });
      expect(containerOf(deployment(objects, '-api')).image).toBe('ghcr.io/astromesh/astromesh-cloud:0.1.0');
    });
  });

  describe('the API', () => {
    it('runs node api/main.ts with probes on /healthz and /readyz behind a Service', async () => {
      const objects = await render();

      const api = containerOf(deployment(objects, '-api'));
      const service = theObject(objects, 'Service', '-api') as { spec: Record<string, unknown> };

      // A 2 MiB semi-space: the API's idle memory goal (issue 13), measured in its bench.
      expect(api.command).toEqual(['node', '--max-semi-space-size=2', 'api/main.ts']);
      expect(api.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(api.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(api.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(service.spec).toMatchObject({
        type: 'ClusterIP',
        selector: deployment(objects, '-api').spec?.selector.matchLabels,
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      });
    });

    it('reads DATABASE_URL and the memory admin URL from the bundled database Secret by default', async () => {
      const objects = await render();

      const env = containerOf(deployment(objects, '-api')).env ?? [];
      const secret = theObject(objects, 'Secret', '-postgresql') as { data: Record<string, string> };
      const decoded = (key: string) => Buffer.from(secret.data[key] ?? '', 'base64').toString();
      const password = decoded('password');

      expect(env).toContainEqual({
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: 'astromesh-astromesh-cloud-postgresql', key: 'database-url' } },
      });
      expect(env).toContainEqual({
        name: 'ASTROMESH_MEMORY_ADMIN_URL',
        valueFrom: { secretKeyRef: { name: 'astromesh-astromesh-cloud-postgresql', key: 'memory-admin-url' } },
      });
      expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(decoded('database-url')).toBe(
        `postgresql://astromesh:${password}@astromesh-astromesh-cloud-postgresql.${namespace}.svc.cluster.local:5432/astromesh`,
      );
      expect(decoded('memory-admin-url')).toBe(
        `postgresql://astromesh:${password}@astromesh-astromesh-cloud-postgresql.${namespace}.svc.cluster.local:5432/astromesh_memory`,
      );
    });

    it('reads both URLs from the given Secret and renders no PostgreSQL with an external database', async () => {
      const objects = await render({
        database: {
          mode: 'external',
          external: { existingSecret: 'cloud-sql', urlKey: 'url', memoryAdminUrlKey: 'memory-url' },
        },
      });

      const env = containerOf(deployment(objects, '-api')).env ?? [];

      expect(env).toContainEqual({
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: 'cloud-sql', key: 'url' } },
      });
      expect(env).toContainEqual({
        name: 'ASTROMESH_MEMORY_ADMIN_URL',
        valueFrom: { secretKeyRef: { name: 'cloud-sql', key: 'memory-url' } },
      });
      expect(objects.filter((object) => object.metadata?.name?.includes('postgresql'))).toEqual([]);
    });

    it('has no memory admin URL while memory is off', async () => {
      const objects = await render({ memory: { enabled: false } });

      const names = (containerOf(deployment(objects, '-api')).env ?? []).map((variable) => variable.name);

      expect(names).toContain('DATABASE_URL');
      expect(names).not.toContain('ASTROMESH_MEMORY_ADMIN_URL');
      expect((runtimeSettingsOf(objects) as { egressAllow: unknown[] }).egressAllow).toEqual([]);
    });

    it('passes api.modelPrices to the API as ASTROMESH_MODEL_PRICES, which the API accepts, and none by default', async () => {
      const modelPrices = {
        'openai/gpt-6-luna': { input: 0.2, output: 0.4 },
        'openai_compat/*': { input: 0, output: 0 },
      };

      const priced = loadApiConfig(apiEnvironmentOf(await render({ api: { modelPrices } })));
      const unpriced = apiEnvironmentOf(await render());

      expect(priced.modelPrices).toEqual(modelPrices);
      expect(unpriced.ASTROMESH_MODEL_PRICES).toBeUndefined();
    });

    it('passes the background-run and schedule settings to the API, which reads them as given, defaults included', async () => {
      const defaults = loadApiConfig(apiEnvironmentOf(await render()));
      const tuned = loadApiConfig(
        apiEnvironmentOf(
          await render({
            api: {
              backgroundRuns: { maxPerReplica: 3, eventsRetentionHours: 72 },
              schedules: { minIntervalSeconds: 300 },
            },
          }),
        ),
      );

      expect(defaults.backgroundRuns).toEqual({ maxPerReplica: 8, eventsRetentionHours: 24 });
      expect(defaults.scheduleMinIntervalSeconds).toBe(60);
      expect(tuned.backgroundRuns).toEqual({ maxPerReplica: 3, eventsRetentionHours: 72 });
      expect(tuned.scheduleMinIntervalSeconds).toBe(300);
    });

    it('generates a JWT signing key and a 32-byte master key unless a Secret is given', async () => {
      const generated = await render();
      const given = await render({ secrets: { existingSecret: 'my-keys', jwtSecretKey: 'jwt', masterKeyKey: 'mk' } });

      const keys = theObject(generated, 'Secret', '-keys') as {
        data: Record<string, string>;
        metadata: RenderedObject['metadata'];
      };
      const decoded = (key: string) => Buffer.from(keys.data[key] ?? '', 'base64').toString();

      expect(decoded('jwt-secret').length).toBeGreaterThanOrEqual(32);
      expect(Buffer.from(decoded('master-key'), 'base64')).toHaveLength(32);
      expect(keys.metadata?.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
      expect(given.filter((object) => object.kind === 'Secret')).toHaveLength(1);
      expect(containerOf(deployment(given, '-api')).env).toContainEqual({
        name: 'ASTROMESH_MASTER_KEY',
        valueFrom: { secretKeyRef: { name: 'my-keys', key: 'mk' } },
      });
    });

    it('leaves replicas to the HorizontalPodAutoscaler when autoscaling', async () => {
      const objects = await render({ api: { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 9 } } });

      const hpa = theObject(objects, 'HorizontalPodAutoscaler', '-api') as { spec: Record<string, unknown> };

      expect(deployment(objects, '-api').spec?.replicas).toBeUndefined();
      expect(hpa.spec).toMatchObject({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'astromesh-astromesh-cloud-api' },
        minReplicas: 3,
        maxReplicas: 9,
      });
    });

    it('routes /api, Studio (/studio) and / through the Ingress, with TLS for its host', async () => {
      const objects = await render({
        api: { ingress: { enabled: true, host: 'cloud.example.com', tlsSecretName: 'cloud-tls', className: 'nginx' } },
      });

      const ingress = theObject(objects, 'Ingress', '-api') as { spec: Record<string, unknown> };

      const backend = { service: { name: 'astromesh-astromesh-cloud-api', port: { name: 'http' } } };
      expect(ingress.spec).toEqual({
        ingressClassName: 'nginx',
        tls: [{ hosts: ['cloud.example.com'], secretName: 'cloud-tls' }],
        rules: [
          {
            host: 'cloud.example.com',
            http: {
              // Not /healthz, /readyz or /metrics: those stay inside the cluster.
              paths: [
                { path: '/api', pathType: 'Prefix', backend },
                { path: '/studio', pathType: 'Prefix', backend },
                { path: '/', pathType: 'Exact', backend },
              ],
            },
          },
        ],
      });
    });
  });

  describe('the bundled PostgreSQL', () => {
    it('runs the official image pinned by tag as its own uid, with a writable data volume', async () => {
      const objects = await render();

      const statefulSet = theObject(objects, 'StatefulSet', '-postgresql') as unknown as V1StatefulSet;
      const postgres = containerOf(statefulSet);

      expect(postgres.image).toMatch(/^docker\.io\/library\/postgres:\d+\.\d+$/);
      expect(podSpecOf(statefulSet).securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
      expect(postgres.volumeMounts?.map((mount) => mount.mountPath).sort()).toEqual([
        '/docker-entrypoint-initdb.d',
        '/tmp',
        '/var/lib/postgresql',
        '/var/run/postgresql',
      ]);
      expect(statefulSet.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests).toEqual({ storage: '8Gi' });
      expect(statefulSet.metadata?.annotations).toEqual({ 'astromesh.io/evaluation-only': 'true' });
    });

    it('admits the API, and the org runtimes as the operator labels them, and the runtimes may reach it', async () => {
      const objects = await render();

      const policy = theObject(objects, 'NetworkPolicy', '-postgresql') as {
        spec: {
          ingress: { from: Record<string, { matchLabels?: Record<string, string>; matchExpressions?: unknown }>[] }[];
        };
      };
      const [apiPeer, runtimePeer] = policy.spec.ingress[0]?.from ?? [];
      const postgresPodLabels = (theObject(objects, 'StatefulSet', '-postgresql') as unknown as V1StatefulSet).spec
        ?.template.metadata?.labels;
      const settings = runtimeSettingsOf(objects) as {
        egressAllow: { namespace: string; podLabels: Record<string, string>; port: number }[];
      };

      expect(deployment(objects, '-api').spec?.template.metadata?.labels).toMatchObject(
        apiPeer?.podSelector?.matchLabels ?? { missing: 'api peer' },
      );
      expect(runtimePeer?.namespaceSelector?.matchExpressions).toEqual([{ key: orgLabel, operator: 'Exists' }]);
      expect(runtimePodLabels('any-org')).toMatchObject(runtimePeer?.podSelector?.matchLabels ?? { missing: 'peer' });
      expect(settings.egressAllow).toHaveLength(1);
      expect(settings.egressAllow[0]?.namespace).toBe(namespace);
      expect(settings.egressAllow[0]?.port).toBe(5432);
      expect(postgresPodLabels).toMatchObject(settings.egressAllow[0]?.podLabels ?? { missing: 'egress' });
    });

    it('keeps its data in an emptyDir without persistence', async () => {
      const objects = await render({ database: { bundled: { persistence: { enabled: false } } } });

      const statefulSet = theObject(objects, 'StatefulSet', '-postgresql') as unknown as V1StatefulSet;

      expect(statefulSet.spec?.volumeClaimTemplates).toBeUndefined();
      expect(podSpecOf(statefulSet).volumes).toContainEqual({ name: 'data', emptyDir: {} });
    });
  });

  it('keeps every name within Kubernetes limits for the longest release name', async () => {
    const longest = 'a'.repeat(53);

    const objects = await render({}, longest);

    // A Service name is a DNS label; a StatefulSet's pods get a label of its name plus 11 characters.
    const limits: Record<string, number> = { Service: 63, StatefulSet: 52 };
    for (const object of objects) {
      const name = object.metadata?.name ?? '';
      expect(name.length, `${object.kind} ${name}`).toBeLessThanOrEqual(limits[object.kind ?? ''] ?? 253);
    }
    expect(new Set(objects.map((object) => `${object.kind}/${object.metadata?.name}`)).size).toBe(objects.length);
  });

  describe('the CloudAgent CRD', () => {
    it('is the committed crds/ file, through the chart’s symlink, when rendered', async () => {
      const text = await templateChart({ includeCrds: true });

      const crds = parseManifests(text).filter((object) => object.kind === 'CustomResourceDefinition');

      expect(crds).toEqual([load(readFileSync(committedCrd, 'utf8'))]);
      expect(text).toContain('# Source: astromesh-cloud/crds/cloudagents.astromesh.io.yaml');
    });

    it('is the committed crds/ file inside the packaged chart', async () => {
      await runHelm(['package', chartDir, '--destination', scratch]);

      const { stdout } = await runHelm(['show', 'crds', join(scratch, 'astromesh-cloud-0.1.0.tgz')]);

      expect(stdout.trim()).toBe(readFileSync(committedCrd, 'utf8').trim());
    });
  });
});
