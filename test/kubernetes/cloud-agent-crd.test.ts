import { request } from 'node:https';
import {
  ApiException,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloudAgentGroup, cloudAgentPlural, cloudAgentVersion } from '../../crds/cloud-agent.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { createTestNamespace, testKubeConfig } from '../support/test-kube.ts';

const resource = { group: cloudAgentGroup, version: cloudAgentVersion, plural: cloudAgentPlural };

describe('the CloudAgent CRD on a real kube-apiserver', () => {
  let kubeConfig: KubeConfig;
  let customObjects: CustomObjectsApi;
  let crd: V1CustomResourceDefinition;

  beforeAll(async () => {
    kubeConfig = testKubeConfig();
    customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
    crd = await applyCrds(kubeConfig);
  });

  it('is installed with server-side apply and becomes Established', () => {
    expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    expect(crd.spec.names).toMatchObject({ kind: 'CloudAgent', shortNames: ['cagent'], categories: ['astromesh'] });
    expect(crd.metadata?.managedFields?.map((f) => f.manager)).toContain('astromesh-cloud-tests');
  });

  it('stores a valid CloudAgent and reads it back unchanged', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace });

    await customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent });
    const stored = await customObjects.getNamespacedCustomObject({ ...resource, namespace, name: 'support-bot' });

    expect(stored.spec).toEqual(agent.spec);
    expect(stored.metadata.generation).toBe(1);
  });

  it('shows Org, Agent, Model, Version, Phase, Ready, Reason and Age in the Table view kubectl prints', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace });
    agent.spec.version = 2;
    await customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent });
    await patchStatus(customObjects, namespace, 'support-bot', {
      phase: 'Ready',
      agentId: 'acme__support-bot',
      conditions: [
        { type: 'Ready', status: 'True', reason: 'RuntimeReady', message: 'serving', lastTransitionTime: now() },
      ],
    });

    const table = await getTable(
      kubeConfig,
      `/apis/${cloudAgentGroup}/${cloudAgentVersion}/namespaces/${namespace}/${cloudAgentPlural}`,
    );

    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Org',
      'Agent',
      'Model',
      'Version',
      'Phase',
      'Ready',
      'Reason',
      'Age',
    ]);
    expect(table.rows[0]?.cells.slice(0, 8)).toEqual([
      'support-bot',
      'acme',
      'support-bot',
      'gpt-4o-mini',
      2,
      'Ready',
      'True',
      'RuntimeReady',
    ]);
  });

  it('rejects an agent name that is not a lowercase DNS label, naming spec.agentName', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace });
    agent.spec.agentName = 'Support_Bot';

    const rejection = await rejectionOf(
      customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent }),
    );

    expect(rejection.code).toBe(422);
    expect(rejection.message).toContain('spec.agentName');
  });

  it('rejects a CloudAgent without a model, naming spec.agent.spec.model', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace });
    delete (agent.spec.agent.spec as { model?: unknown }).model;

    const rejection = await rejectionOf(
      customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent }),
    );

    expect(rejection.code).toBe(422);
    expect(rejection.message).toMatch(/spec\.agent\.spec\.model: Required value/);
  });

  it('rejects a model with neither primary nor default candidates through its CEL rule', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace });
    agent.spec.agent.spec.model = { routing: { strategy: 'round_robin' } };

    const rejection = await rejectionOf(
      customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent }),
    );

    expect(rejection.code).toBe(422);
    expect(rejection.message).toContain('spec.agent.spec.model: Invalid value');
    expect(rejection.message).toContain('either primary or default must be set');
  });

  it.each([
    { backend: 'in_memory' },
    { backend: 'sqlite', path: 'chats/support.db' },
    { backend: 'redis', connection: { url: 'redis://memory.example:6379/0' } },
  ] as const)('stores an agent whose conversational memory backend is $backend', async (conversational) => {
    const namespace = await createTestNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace });
    agent.spec.agent.spec.memory = { conversational: { ...conversational, strategy: 'sliding_window', ttl: 3600 } };

    await customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent });
    const stored = await customObjects.getNamespacedCustomObject({ ...resource, namespace, name: 'support-bot' });

    expect(stored.spec.agent.spec.memory.conversational).toMatchObject(conversational);
  });

  it('rejects a sqlite path on a redis memory backend through its CEL rule', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace });
    agent.spec.agent.spec.memory = { conversational: { backend: 'redis', path: 'chats.db' } };

    const rejection = await rejectionOf(
      customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent }),
    );

    expect(rejection.code).toBe(422);
    expect(rejection.message).toContain('spec.agent.spec.memory.conversational: Invalid value');
    expect(rejection.message).toContain('path is for the sqlite backend');
  });

  it('rejects a compiled agent whose id is not {orgSlug}__{agentName}', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace });
    agent.spec.agent.metadata.name = 'other-org__support-bot';

    const rejection = await rejectionOf(
      customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent }),
    );

    expect(rejection.code).toBe(422);
    expect(rejection.message).toContain('agent.metadata.name must be {orgSlug}__{agentName}');
  });

  it('rejects a CloudAgent whose object name differs from spec.agentName', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace });
    agent.metadata.name = 'another-name';

    const rejection = await rejectionOf(
      customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent }),
    );

    expect(rejection.code).toBe(422);
    expect(rejection.message).toContain('metadata.name must equal spec.agentName');
  });

  it('refuses to move a CloudAgent to another org', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    await customObjects.createNamespacedCustomObject({ ...resource, namespace, body: aCloudAgent({ namespace }) });

    const rejection = await rejectionOf(
      customObjects.patchNamespacedCustomObject(
        { ...resource, namespace, name: 'support-bot', body: { spec: { orgSlug: 'globex' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );

    expect(rejection.code).toBe(422);
    expect(rejection.message).toContain('orgSlug is immutable');
  });

  it('rejects a status phase outside the enum, naming status.phase', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    await customObjects.createNamespacedCustomObject({ ...resource, namespace, body: aCloudAgent({ namespace }) });

    const rejection = await rejectionOf(patchStatus(customObjects, namespace, 'support-bot', { phase: 'Exploding' }));

    expect(rejection.code).toBe(422);
    expect(rejection.message).toMatch(/status\.phase: Unsupported value: "Exploding"/);
  });
});

function patchStatus(customObjects: CustomObjectsApi, namespace: string, name: string, status: object) {
  return customObjects.patchNamespacedCustomObjectStatus(
    { ...resource, namespace, name, body: { status } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

async function rejectionOf(pending: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await pending;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { code: err.code, message: String(body?.message ?? err.message) };
  }
  throw new Error('expected the API server to reject the request, but it accepted it');
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

interface Table {
  columnDefinitions: { name: string }[];
  rows: { cells: unknown[] }[];
}

// client-node has no typed call for the Table view, so ask for it the way kubectl does.
async function getTable(kubeConfig: KubeConfig, path: string): Promise<Table> {
  const server = new URL(kubeConfig.getCurrentCluster()?.server ?? '');
  const options = {
    hostname: server.hostname,
    port: server.port,
    path,
    headers: { Accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' } as Record<string, string>,
  };
  await kubeConfig.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`Table request answered ${res.statusCode}: ${body}`));
        else resolve(JSON.parse(body) as Table);
      });
    });
    req.on('error', reject);
    req.end();
  });
}
