import { z } from 'zod';
import { ConfigError } from './config-error.ts';

export interface OidcSignInConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** What the Studio's button says: "Sign in with <displayName>". */
  displayName: string;
}

export interface GithubSignInConfig {
  clientId: string;
  clientSecret: string;
  /** Where users authorize and codes are exchanged: https://github.com, or a GitHub Enterprise host. */
  webUrl: URL;
  /** The REST API that says who signed in: https://api.github.com, or an Enterprise host's /api/v3. */
  apiUrl: URL;
}

export interface SignInConfig {
  /** The API's address as browsers reach it; redirect URIs registered at the providers start with it. */
  publicUrl: URL | undefined;
  oidc: OidcSignInConfig | undefined;
  github: GithubSignInConfig | undefined;
}

// Read by api-config.ts's Env (one schema for every variable); api-env-reference.ts documents them.
export const SignInEnv = {
  ASTROMESH_PUBLIC_URL: z.string().optional(),
  ASTROMESH_OIDC_ISSUER: z.string().optional(),
  ASTROMESH_OIDC_CLIENT_ID: z.string().optional(),
  ASTROMESH_OIDC_CLIENT_SECRET: z.string().optional(),
  ASTROMESH_OIDC_NAME: z.string().max(40, 'ASTROMESH_OIDC_NAME must be at most 40 characters').optional(),
  ASTROMESH_GITHUB_CLIENT_ID: z.string().optional(),
  ASTROMESH_GITHUB_CLIENT_SECRET: z.string().optional(),
  ASTROMESH_GITHUB_URL: z.string().default('https://github.com'),
  ASTROMESH_GITHUB_API_URL: z.string().default('https://api.github.com'),
};

const SignInVars = z.object(SignInEnv);
type SignInVars = z.infer<typeof SignInVars>;

/**
 * Sign-in with an OpenID Connect issuer and/or GitHub (issue 15). Each is on when its client id
 * is set; a half-given provider is refused at start with the variable that is missing, rather
 * than answering 500s at the first sign-in.
 */
export function loadSignInConfig(vars: SignInVars): SignInConfig {
  const oidc = vars.ASTROMESH_OIDC_ISSUER || vars.ASTROMESH_OIDC_CLIENT_ID ? oidcOf(vars) : undefined;
  const github = vars.ASTROMESH_GITHUB_CLIENT_ID || vars.ASTROMESH_GITHUB_CLIENT_SECRET ? githubOf(vars) : undefined;
  const publicUrl = vars.ASTROMESH_PUBLIC_URL ? webUrlOf('ASTROMESH_PUBLIC_URL', vars.ASTROMESH_PUBLIC_URL) : undefined;
  if ((oidc || github) && !publicUrl) {
    throw new ConfigError(
      'ASTROMESH_PUBLIC_URL: required with ASTROMESH_OIDC_* or ASTROMESH_GITHUB_* (the redirect URIs start with it)',
    );
  }
  return { publicUrl, oidc, github };
}

function oidcOf(vars: SignInVars): OidcSignInConfig {
  const issuer = webUrlOf('ASTROMESH_OIDC_ISSUER', required(vars, 'ASTROMESH_OIDC_ISSUER'));
  return {
    issuer,
    clientId: required(vars, 'ASTROMESH_OIDC_CLIENT_ID'),
    clientSecret: required(vars, 'ASTROMESH_OIDC_CLIENT_SECRET'),
    displayName: vars.ASTROMESH_OIDC_NAME || displayNameOf(issuer),
  };
}

function githubOf(vars: SignInVars): GithubSignInConfig {
  return {
    clientId: required(vars, 'ASTROMESH_GITHUB_CLIENT_ID'),
    clientSecret: required(vars, 'ASTROMESH_GITHUB_CLIENT_SECRET'),
    webUrl: webUrlOf('ASTROMESH_GITHUB_URL', vars.ASTROMESH_GITHUB_URL),
    apiUrl: webUrlOf('ASTROMESH_GITHUB_API_URL', vars.ASTROMESH_GITHUB_API_URL),
  };
}

function required(vars: SignInVars, name: keyof SignInVars): string {
  const value = vars[name]?.trim();
  if (!value) {
    const provider = name.startsWith('ASTROMESH_GITHUB') ? 'GitHub' : 'OpenID Connect';
    throw new ConfigError(`${name}: required to sign in with ${provider} (set it, or unset the others of its kind)`);
  }
  return value;
}

/**
 * An https URL, or http on loopback only (a local issuer in development and tests): codes, tokens
 * and client secrets must never cross a network in clear.
 */
function webUrlOf(name: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${name}: must be an absolute URL such as https://example.com`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`${name}: must be an https:// URL (http:// only on localhost)`);
  }
  if (url.search || url.hash) throw new ConfigError(`${name}: must have no query or fragment`);
  // Paths are joined to it: one form, without the trailing slash.
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

function displayNameOf(issuer: URL): string {
  return issuer.hostname === 'accounts.google.com' ? 'Google' : issuer.hostname;
}
