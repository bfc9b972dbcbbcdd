import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, type V1Deployment, type V1StatefulSet } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { parseManifests, type RenderedObject, templateChart, uniqueReleaseName } from '../support/helm-chart.ts';
import { valueCombinations } from '../support/helm-value-combinations.ts';
import { testKubeConfig } from '../support/test-kube.ts';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'chart-dry-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A namespace of its own that enforces Pod Security `restricted` (and warns about it too). */
async function aRestrictedNamespace(): Promise<string> {
  const name = `chart-${randomBytes(4).toString('hex')}`;
  const labels = Object.fromEntries(
    ['enforce', 'warn'].flatMap((mode) => [
      [`pod-security.kubernetes.io/${mode}`, 'restricted'],
      [`pod-security.kubernetes.io/${mode}-version`, 'latest'],
    ]),
  );
  await testKubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name, labels } } });
  return name;
}

/** kubectl as the cluster admin, with `objects` as its input file. */
async function kubectl(args: string[], objects: RenderedObject[]): Promise<{ stdout: string; stderr: string }> {
  const file = join(scratch, `objects-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(file, objects.map((object) => dump(object, { noRefs: true })).join('---\n'));
  try {
    return await run(locateTestBinaries().kubectl, [
      '--kubeconfig',
      inject('kubeconfigPath'),
      ...args,
      '--filename',
      file,
    ]);
  } catch (err) {
    throw new Error(`kubectl ${args.join(' ')} failed:\n${(err as { stderr?: string }).stderr ?? err}`);
  }
}

/** A Pod of each workload's template, as its controller would create it. */
function podsOf(objects: RenderedObject[], namespace: string): RenderedObject[] {
  const workloads = objects.filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet') as (
    | V1Deployment
    | V1StatefulSet
  )[];
  return workloads.map((workload) => {
    const template = workload.spec?.template;
    const claims = (workload as V1StatefulSet).spec?.volumeClaimTemplates ?? [];
    const name = `${workload.metadata?.name}-0`;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: template?.metadata?.labels },
      spec: {
        ...template?.spec,
        // A StatefulSet's pod mounts the claims of its volumeClaimTemplates.
        volumes: [
          ...(template?.spec?.volumes ?? []),
          ...claims.map((claim) => ({
            name: claim.metadata?.name,
            persistentVolumeClaim: { claimName: `${claim.metadata?.name}-${name}` },
          })),
        ],
      },
    } as RenderedObject;
  });
}

const combinations: [string, { values: object; release?: string }][] = [
  ...Object.entries(valueCombinations).map(([name, values]) => [name, { values }] as [string, { values: object }]),
  ['the longest release name', { values: {}, release: `l${randomBytes(26).toString('hex')}` }],
];

describe('the chart on the test API server (server-side dry run)', () => {
  describe.each(combinations)('with %s', (_name, { values, release }) => {
    it('has every rendered object, the CRD included, accepted by a server-side apply', async () => {
      const namespace = await aRestrictedNamespace();
      const objects = parseManifests(
        await templateChart({
          release: release ?? uniqueReleaseName(),
          namespace,
          values: values as Record<string, unknown>,
          includeCrds: true,
        }),
      );

      const { stdout, stderr } = await kubectl(
        ['apply', '--server-side', '--dry-run=server', '--field-manager=astromesh-chart-tests', '--output=name'],
        objects,
      );

      expect(stdout.trim().split('\n')).toHaveLength(objects.length);
      expect(objects.map((object) => object.kind)).toContain('CustomResourceDefinition');
      expect(stderr).not.toContain('PodSecurity');
    });

    it('has pods that a namespace enforcing Pod Security restricted admits', async () => {
      const namespace = await aRestrictedNamespace();
      const objects = parseManifests(
        await templateChart({
          release: release ?? uniqueReleaseName(),
          namespace,
          values: values as Record<string, unknown>,
        }),
      );
      const pods = podsOf(objects, namespace);

      const { stdout, stderr } = await kubectl(['create', '--dry-run=server', '--output=name'], pods);

      expect(stdout.trim().split('\n').sort()).toEqual(pods.map((pod) => `pod/${pod.metadata?.name}`).sort());
      expect(stderr).not.toContain('PodSecurity');
    });
  });
});
