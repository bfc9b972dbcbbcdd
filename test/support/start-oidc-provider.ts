import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface OidcAccount {
  email: string;
  email_verified: boolean;
  name?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by login: the dev interaction's login form takes the key as the account id. */
  accounts: Map<string, OidcAccount>;
  stop(): Promise<void>;
}

/**
 * A real OpenID Provider in this process: panva's `oidc-provider` (OpenID Certified), on loopback,
 * with one confidential client whose redirect URI is the API's callback. Its development
 * interactions (plain HTML login and consent forms) stand in for a person at the keyboard.
 */
export async function startOidcProvider(input: { redirectUri: string }): Promise<TestOidcProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'astromesh-cloud';
  const clientSecret = `secret-${crypto.randomUUID()}`;
  const accounts = new Map<string, OidcAccount>();

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [input.redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Every authorization request must carry a PKCE challenge, as the API always sends one.
    pkce: { required: () => true },
    // Set, so the provider does not print a notice for each default it would use.
    ttl: { Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, Interaction: 600, AuthorizationCode: 60 },
    cookies: { keys: [`cookie-key-${crypto.randomUUID()}`] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
  });
  // Its development warnings (dev interactions, http issuer) are what this test wants; keep them out of the output.
  provider.on('server_error', () => undefined);
  server.on('request', provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
