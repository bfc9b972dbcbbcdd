import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { agentIdOf } from '../../crds/cloud-agent.ts';
import { orgNamespaceOf } from '../../crds/org-runtime-names.ts';
import type { AgentDocument } from '../../runtime/config/agent-schema.ts';
import { OrgRuntimeSettings } from '../config/org-runtime-settings.ts';
import { buildNamespaceBundle } from './build-namespace-bundle.ts';
import { buildPullSecretCopies, buildRuntimeObjects } from './build-runtime-objects.ts';

// Golden files of what the operator writes into an org namespace. `UPDATE_GOLDEN=true npx vitest
// run operator/reconcile` rewrites them; review the diff like any other change of behaviour.
const testdata = join(import.meta.dirname, 'testdata');

const agent = (orgSlug: string, name: string): AgentDocument => ({
  apiVersion: 'astromesh/v1',
  kind: 'Agent',
  metadata: { name: agentIdOf(orgSlug, name), version: '1.0.0' },
  spec: {
    identity: { display_name: name, description: `the ${name} agent` },
    model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
    prompts: { system: 'You answer questions about {{ topic }}.' },
    orchestration: { pattern: 'react', max_iterations: 5 },
  },
});

const defaults = OrgRuntimeSettings.parse({ image: 'ghcr.io/astromesh/astromesh-cloud:0.1.0' });

const cases: Record<string, Parameters<typeof buildRuntimeObjects>[0]> = {
  'two-agents': {
    namespace: orgNamespaceOf('acme'),
    orgSlug: 'acme',
    servedAgents: [agent('acme', 'support'), agent('acme', 'billing')],
    secretDigest: 'digest-1',
    pullSecrets: [],
    settings: defaults,
  },
  'scaled-to-zero': {
    namespace: orgNamespaceOf('idle-org'),
    orgSlug: 'idle-org',
    servedAgents: [],
    secretDigest: 'digest-1',
    pullSecrets: [],
    settings: defaults,
  },
  'hardened-options': {
    namespace: orgNamespaceOf('acme'),
    orgSlug: 'acme',
    servedAgents: [agent('acme', 'support')],
    secretDigest: 'digest-2',
    pullSecrets: [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'registry-credentials', namespace: 'astromesh-system', uid: 'not-copied' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
      },
    ],
    settings: OrgRuntimeSettings.parse({
      image: 'registry.example.com/astromesh:0.1.0',
      replicas: 2,
      runtimeClassName: 'gvisor',
      dataSizeLimit: '1Gi',
      imagePullSecrets: ['registry-credentials'],
      api: { namespace: 'platform', podLabels: { app: 'astromesh-api' } },
      egressAllow: [{ namespace: 'ollama', podLabels: { app: 'ollama' }, port: 11434 }, { cidr: '10.20.0.0/16' }],
    }),
  },
};

describe('what the operator writes into an org namespace', () => {
  for (const [name, input] of Object.entries(cases)) {
    it(`matches the golden file for ${name}`, () => {
      const objects = [...buildNamespaceBundle(input), ...buildPullSecretCopies(input), ...buildRuntimeObjects(input)];
      const rendered = objects.map((object) => dump(object, { lineWidth: -1, noRefs: true })).join('---\n');
      const file = join(testdata, `${name}.yaml`);
      if (process.env.UPDATE_GOLDEN === 'true') writeFileSync(file, rendered);
      // A missing golden file is a failure, not a file to write: one written here would only be
      // compared with itself, and a case could never fail on its first run.
      if (!existsSync(file)) {
        throw new Error(`no golden file ${file}: run UPDATE_GOLDEN=true npx vitest run operator/reconcile`);
      }
      expect(rendered).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('rolls the runtime when the agents or the Secret change, and only then', () => {
    const hashOf = (input: Parameters<typeof buildRuntimeObjects>[0]) =>
      buildRuntimeObjects(input)[2].spec?.template.metadata?.annotations?.['astromesh.io/config-hash'];
    const base = cases['two-agents'] as Parameters<typeof buildRuntimeObjects>[0];
    expect(hashOf({ ...base, servedAgents: [...base.servedAgents].reverse() })).toBe(hashOf(base));
    expect(hashOf({ ...base, secretDigest: 'digest-2' })).not.toBe(hashOf(base));
    expect(hashOf({ ...base, servedAgents: base.servedAgents.slice(1) })).not.toBe(hashOf(base));
  });

  it('holds a sleeping org at zero replicas with the same pod template, so waking it rolls nothing', () => {
    const base = cases['two-agents'] as Parameters<typeof buildRuntimeObjects>[0];

    const [, , asleep] = buildRuntimeObjects({ ...base, isSleeping: true });
    const [, , awake] = buildRuntimeObjects(base);

    expect(asleep.spec?.replicas).toBe(0);
    expect(awake.spec?.replicas).toBeGreaterThan(0);
    expect(asleep.spec?.template).toEqual(awake.spec?.template);
  });

  it('holds the runtime at zero replicas while the org Secret is missing', () => {
    const base = cases['two-agents'] as Parameters<typeof buildRuntimeObjects>[0];
    expect(buildRuntimeObjects({ ...base, secretDigest: undefined })[2].spec?.replicas).toBe(0);
  });
});
