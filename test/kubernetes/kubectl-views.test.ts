import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeClient, type KubeClient } from '../../operator/kube/kube-client.ts';
import { objectPath } from '../../operator/kube/object-path.ts';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { reconcileOnce } from '../support/reconcile-once.ts';
import { testKubeConfig } from '../support/test-kube.ts';

const run = promisify(execFile);

/** The real kubectl (built with the test control plane) against the run's API server. */
async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(locateTestBinaries().kubectl, [
      '--kubeconfig',
      inject('kubeconfigPath'),
      ...args,
    ]);
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const failed = err as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('CloudAgents as an operator sees them with kubectl', () => {
  let kubeConfig: KubeConfig;
  let admin: KubeClient;

  beforeAll(async () => {
    kubeConfig = testKubeConfig();
    await applyCrds(kubeConfig);
    admin = createKubeClient(kubeConfig);
  });

  async function anOrgWithAnAgent() {
    const org = await createOrgNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace: org.namespace, org: org.orgSlug, name: 'support' });
    agent.spec.version = 3;
    await admin.call({ method: 'POST', path: objectPath({ ...agent, namespace: org.namespace }), body: agent });
    await reconcileOnce(admin, org.namespace);
    return org;
  }

  it('lists them across namespaces with org, agent, model, version, phase and readiness', async () => {
    const { namespace, orgSlug } = await anOrgWithAnAgent();

    const { stdout, code } = await kubectl('get', 'cloudagents', '-A');

    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(
      /^NAMESPACE\s+NAME\s+ORG\s+AGENT\s+MODEL\s+VERSION\s+PHASE\s+READY\s+REASON\s+AGE$/,
    );
    const row = stdout.split('\n').find((line) => line.startsWith(namespace));
    expect(row?.split(/\s+/).slice(0, 8)).toEqual([
      namespace,
      'support',
      orgSlug,
      'support',
      'gpt-4o-mini',
      '3',
      'Deploying',
      'False',
    ]);
    // The short name and the category work too.
    expect((await kubectl('get', 'cagent', '-n', namespace)).stdout).toContain('Deploying');
    expect((await kubectl('get', 'astromesh', '-n', namespace)).stdout).toMatch(/^support\s+org-/m);
  });

  it('describes conditions and the events of the rollout', async () => {
    const { namespace } = await anOrgWithAnAgent();

    const { stdout, code } = await kubectl('describe', 'cloudagent', 'support', '-n', namespace);

    expect(code).toBe(0);
    expect(stdout).toMatch(/Phase:\s+Deploying/);
    expect(stdout).toMatch(/Type:\s+Accepted/);
    expect(stdout).toMatch(/Reason:\s+RollingOut/);
    expect(stdout).toMatch(/Events:[\s\S]*Normal\s+Deploying\s+\S+\s+astromesh-operator/);
  });

  it('shows a bad spec applied by hand as Failed with what to fix, and refuses a malformed one outright', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    const broken = aCloudAgent({ namespace, org: orgSlug, name: 'broken' });
    broken.spec.agent.spec.prompts = { system: 'Hello {{ name ' };
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-'));
    writeFileSync(join(dir, 'broken.yaml'), dump(broken));

    expect((await kubectl('apply', '--server-side', '-f', join(dir, 'broken.yaml'))).code).toBe(0);
    await reconcileOnce(admin, namespace);

    const row = (await kubectl('get', 'cloudagent', 'broken', '-n', namespace)).stdout;
    expect(row).toMatch(/broken\s+\S+\s+broken\s+gpt-4o-mini\s+Failed\s+False/);
    const described = (await kubectl('describe', 'cloudagent', 'broken', '-n', namespace)).stdout;
    expect(described).toContain('spec.agent.spec.prompts.system: template does not parse');
    expect(described).toMatch(/Warning\s+InvalidSpec/);

    const malformed = aCloudAgent({ namespace, org: orgSlug, name: 'malformed' });
    (malformed.spec as Record<string, unknown>).paused = 'sometimes';
    writeFileSync(join(dir, 'malformed.yaml'), dump(malformed));
    const refused = await kubectl('apply', '--server-side', '-f', join(dir, 'malformed.yaml'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('spec.paused');
  });

  it('lets kubectl wait for Ready once the runtime rolled out', async () => {
    const { namespace } = await anOrgWithAnAgent();
    const deploymentPath = objectPath({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace,
      name: 'astromesh-runtime',
    });
    const deployment = await admin.call<{ metadata: { generation: number } }>({ method: 'GET', path: deploymentPath });
    // Plays the Deployment controller: one replica of the current template is available.
    await admin.mergePatch(`${deploymentPath}/status`, {
      status: {
        observedGeneration: deployment.metadata.generation,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
      },
    });
    await reconcileOnce(admin, namespace);

    const waited = await kubectl(
      'wait',
      '--for=condition=Ready',
      'cloudagent/support',
      '-n',
      namespace,
      '--timeout=20s',
    );

    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain('cloudagent.astromesh.io/support condition met');
  });
});
