import type { V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../api/config/api-config.ts';
import { type ChartValues, HelmFailed, renderChart, templateChart, theObject } from '../support/helm-chart.ts';

const namespace = 'astromesh-system';

const bothProviders: ChartValues = {
  signIn: {
    publicUrl: 'https://cloud.example.com',
    oidc: { issuer: 'https://accounts.google.com', name: 'Google', existingSecret: 'oidc-client' },
    github: { existingSecret: 'github-app' },
  },
};

async function apiEnvOf(values: ChartValues): Promise<V1EnvVar[]> {
  const objects = await renderChart({ release: 'astromesh', namespace, values });
  const api = theObject(objects, 'Deployment', '-api') as unknown as V1Deployment;
  return api.spec?.template.spec?.containers[0]?.env ?? [];
}

/** What helm says when it refuses to render `values`. */
async function refusal(values: ChartValues): Promise<string> {
  try {
    await templateChart({ values });
  } catch (err) {
    if (err instanceof HelmFailed) return err.stderr;
    throw err;
  }
  throw new Error(`helm rendered ${JSON.stringify(values)}`);
}

describe('sign-in through an identity provider in the chart', () => {
  it('sets no sign-in variable by default, so the API answers 501 as seed 003 says', async () => {
    const env = await apiEnvOf({});

    expect(env.map((variable) => variable.name).filter((name) => /OIDC|GITHUB|PUBLIC_URL/.test(name))).toEqual([]);
  });

  it('takes client ids and secrets from the given Secrets only, never as values', async () => {
    const env = await apiEnvOf(bothProviders);

    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'ASTROMESH_PUBLIC_URL', value: 'https://cloud.example.com' },
        { name: 'ASTROMESH_OIDC_ISSUER', value: 'https://accounts.google.com' },
        { name: 'ASTROMESH_OIDC_NAME', value: 'Google' },
        {
          name: 'ASTROMESH_OIDC_CLIENT_ID',
          valueFrom: { secretKeyRef: { name: 'oidc-client', key: 'client-id' } },
        },
        {
          name: 'ASTROMESH_OIDC_CLIENT_SECRET',
          valueFrom: { secretKeyRef: { name: 'oidc-client', key: 'client-secret' } },
        },
        {
          name: 'ASTROMESH_GITHUB_CLIENT_ID',
          valueFrom: { secretKeyRef: { name: 'github-app', key: 'client-id' } },
        },
        {
          name: 'ASTROMESH_GITHUB_CLIENT_SECRET',
          valueFrom: { secretKeyRef: { name: 'github-app', key: 'client-secret' } },
        },
        { name: 'ASTROMESH_GITHUB_URL', value: 'https://github.com' },
        { name: 'ASTROMESH_GITHUB_API_URL', value: 'https://api.github.com' },
      ]),
    );
  });

  it('gives the API a sign-in environment the API itself accepts', async () => {
    const env = await apiEnvOf(bothProviders);
    const fromSecrets: Record<string, string> = {
      DATABASE_URL: 'postgres://astromesh:secret@db.example:5432/astromesh',
      ASTROMESH_MEMORY_ADMIN_URL: 'postgres://astromesh:secret@db.example:5432/astromesh_memory',
      ASTROMESH_JWT_SECRET: 'j'.repeat(48),
      ASTROMESH_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    };

    const config = loadApiConfig(
      Object.fromEntries(
        env.map((variable) => [variable.name, variable.value ?? fromSecrets[variable.name] ?? 'from-a-secret']),
      ),
    );

    expect(config.signIn.oidc).toMatchObject({ clientId: 'from-a-secret', displayName: 'Google' });
    expect(config.signIn.github?.apiUrl.href).toBe('https://api.github.com/');
  });

  it.each([
    [
      { signIn: { publicUrl: 'https://x.example', oidc: { issuer: 'https://idp.example' } } },
      'signIn.oidc.existingSecret: required',
    ],
    [{ signIn: { publicUrl: 'https://x.example', oidc: { existingSecret: 'oidc' } } }, 'signIn.oidc.issuer: required'],
    [{ signIn: { github: { existingSecret: 'gh' } } }, 'signIn.publicUrl: required'],
    [{ signIn: { oidc: { issuer: 'http://idp.example' } } }, "at '/signIn/oidc/issuer'"],
  ])('refuses a half-given or insecure provider, naming the key (%#)', async (values, message) => {
    expect(await refusal(values)).toContain(message);
  });
});
