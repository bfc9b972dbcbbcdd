import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { buildOrgSecret } from './build-org-secret.ts';

const decoded = (data: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]));

describe('buildOrgSecret', () => {
  it('holds the credentials as YAML and the runtime token, under the names the operator reads', () => {
    const secret = buildOrgSecret({
      namespace: 'astromesh-org-acme',
      orgSlug: 'acme',
      credentials: { OPENAI_API_KEY: 'sk-1', ANTHROPIC_API_KEY: 'sk-ant-2' },
      runtimeToken: 'token-1',
    });

    expect(secret.metadata).toEqual({
      name: 'astromesh-org-runtime',
      namespace: 'astromesh-org-acme',
      labels: { 'astromesh.io/org': 'acme' },
    });
    const data = decoded(secret.data);
    expect(Object.keys(data).sort()).toEqual(['credentials.yaml', 'runtime-token']);
    expect(load(data['credentials.yaml'] ?? '')).toEqual({ OPENAI_API_KEY: 'sk-1', ANTHROPIC_API_KEY: 'sk-ant-2' });
    expect(data['runtime-token']).toBe('token-1');
  });

  it('adds memory-url only when the org has durable memory', () => {
    const secret = buildOrgSecret({
      namespace: 'ns',
      orgSlug: 'acme',
      credentials: {},
      runtimeToken: 't',
      memoryUrl: 'postgres://astromesh_org_acme:pw@db:5432/memory',
    });

    expect(decoded(secret.data)['memory-url']).toBe('postgres://astromesh_org_acme:pw@db:5432/memory');
  });

  it('gives the same bytes for the same credentials in any order, so re-applying changes nothing', () => {
    const one = buildOrgSecret({ namespace: 'ns', orgSlug: 'a', credentials: { B: '2', A: '1' }, runtimeToken: 't' });
    const other = buildOrgSecret({ namespace: 'ns', orgSlug: 'a', credentials: { A: '1', B: '2' }, runtimeToken: 't' });

    expect(one).toEqual(other);
  });
});
