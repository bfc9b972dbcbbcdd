import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './api-config.ts';

const secrets = {
  ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
  ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
};
const oidc = {
  ASTROMESH_PUBLIC_URL: 'https://cloud.example.com/',
  ASTROMESH_OIDC_ISSUER: 'https://accounts.google.com',
  ASTROMESH_OIDC_CLIENT_ID: 'client-id',
  ASTROMESH_OIDC_CLIENT_SECRET: 'client-secret',
};
const github = {
  ASTROMESH_PUBLIC_URL: 'https://cloud.example.com',
  ASTROMESH_GITHUB_CLIENT_ID: 'Iv1.abc',
  ASTROMESH_GITHUB_CLIENT_SECRET: 'shh',
};

describe('the sign-in configuration', () => {
  it('has no provider unless one is configured (POST /auth/google and /auth/github answer 501)', () => {
    expect(loadApiConfig(secrets).signIn).toEqual({ publicUrl: undefined, oidc: undefined, github: undefined });
  });

  it('reads an OpenID Connect issuer, naming Google’s button Google', () => {
    const { signIn } = loadApiConfig({ ...secrets, ...oidc });

    expect(signIn.oidc).toMatchObject({ clientId: 'client-id', clientSecret: 'client-secret', displayName: 'Google' });
    expect(signIn.oidc?.issuer.href).toBe('https://accounts.google.com/');
    expect(signIn.publicUrl?.href).toBe('https://cloud.example.com/');
  });

  it('reads a GitHub OAuth app with github.com as the default host', () => {
    const { signIn } = loadApiConfig({ ...secrets, ...github });

    expect(signIn.github?.webUrl.href).toBe('https://github.com/');
    expect(signIn.github?.apiUrl.href).toBe('https://api.github.com/');
  });

  it.each([
    [{ ...oidc, ASTROMESH_OIDC_CLIENT_SECRET: undefined }, /^ASTROMESH_OIDC_CLIENT_SECRET: required/],
    [{ ...oidc, ASTROMESH_OIDC_ISSUER: undefined }, /^ASTROMESH_OIDC_ISSUER: required/],
    [{ ...github, ASTROMESH_GITHUB_CLIENT_ID: undefined }, /^ASTROMESH_GITHUB_CLIENT_ID: required/],
    [{ ...oidc, ASTROMESH_PUBLIC_URL: undefined }, /^ASTROMESH_PUBLIC_URL: required/],
    [{ ...oidc, ASTROMESH_OIDC_ISSUER: 'http://idp.example.com' }, /^ASTROMESH_OIDC_ISSUER: must be an https:\/\/ URL/],
    [{ ...oidc, ASTROMESH_OIDC_ISSUER: 'not a url' }, /^ASTROMESH_OIDC_ISSUER: must be an absolute URL/],
    [{ ...github, ASTROMESH_GITHUB_API_URL: 'ftp://x' }, /^ASTROMESH_GITHUB_API_URL: must be an https/],
    [{ ...oidc, ASTROMESH_PUBLIC_URL: 'https://cloud.example.com/?x=1' }, /^ASTROMESH_PUBLIC_URL: must have no query/],
  ])('refuses a bad or half-given provider with the variable named (%#)', (env, message) => {
    expect(() => loadApiConfig({ ...secrets, ...env })).toThrow(message);
  });

  it('allows http for an issuer on loopback only (a local one in development)', () => {
    const { signIn } = loadApiConfig({
      ...secrets,
      ...oidc,
      ASTROMESH_OIDC_ISSUER: 'http://127.0.0.1:9000/realms/dev',
    });

    expect(signIn.oidc?.issuer.href).toBe('http://127.0.0.1:9000/realms/dev');
    expect(signIn.oidc?.displayName).toBe('127.0.0.1');
  });
});
