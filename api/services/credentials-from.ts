import type { CredentialsOf } from './org-deployment.ts';

/**
 * One CredentialsOf reading several sources in turn (provider keys, MCP servers), in the same
 * transaction; their names never overlap (OPENAI_API_KEY…, MCP_<NAME>_URL…).
 */
export function credentialsFrom(sources: CredentialsOf[]): CredentialsOf {
  return async (client, orgId) => {
    const credentials: Record<string, string> = {};
    for (const source of sources) Object.assign(credentials, await source(client, orgId));
    return credentials;
  };
}
