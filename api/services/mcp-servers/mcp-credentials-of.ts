import { mcpCredentialNamesOf } from '../../compiler/mcp-credential-names-of.ts';
import { AppError } from '../../errors.ts';
import { listMcpServers } from '../../stores/mcp-servers-store.ts';
import type { CredentialsOf } from '../org-deployment.ts';
import { type MasterKeyRing, SecretUnreadable } from '../seal-secret.ts';
import { openMcpToken } from './mcp-token-seal.ts';

/**
 * An org's MCP servers as runtime credentials: MCP_<NAME>_URL, and MCP_<NAME>_AUTHORIZATION
 * (`Bearer <token>`) for a server with a token. They travel with the provider keys (the local
 * runtime's credentials file, the org's Secret on Kubernetes), never in the agent file. Only
 * that org's rows are read.
 */
export function mcpCredentialsOf(keys: MasterKeyRing): CredentialsOf {
  return async (client, orgId) => {
    const credentials: Record<string, string> = {};
    for (const server of await listMcpServers(client, orgId)) {
      const names = mcpCredentialNamesOf(server.name);
      credentials[names.url] = server.url;
      if (server.seal) credentials[names.authorization] = `Bearer ${openOrExplain(server, server.seal, keys)}`;
    }
    return credentials;
  };
}

function openOrExplain(
  server: { orgId: string; name: string },
  seal: Parameters<typeof openMcpToken>[0]['seal'],
  keys: MasterKeyRing,
): string {
  try {
    return openMcpToken({ orgId: server.orgId, server: server.name, seal }, keys);
  } catch (err) {
    if (!(err instanceof SecretUnreadable)) throw err;
    // Only an operator can fix this (a master key missing from the configuration), so say so.
    throw new AppError(
      'mcp_server_token_unreadable',
      500,
      `the token of the org's MCP server '${server.name}' cannot be decrypted: ${err.message}; save it again or restore the master key`,
      { cause: err },
    );
  }
}
