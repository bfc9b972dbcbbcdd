import type { StoredSeal } from '../../stores/provider-keys-store.ts';
import { type MasterKeyRing, openSealedSecret, sealSecret } from '../seal-secret.ts';

// The row's identity is sealed in with the token, so a ciphertext copied into another org's row
// (or another server's) does not open there (DESIGN.md decision 9).
const contextOf = (orgId: string, server: string) => `astromesh-mcp-server-token/v1/${orgId}/${server}`;

/** Seals an MCP server's bearer token under the current master key. */
export function sealMcpToken(input: { orgId: string; server: string; token: string; keys: MasterKeyRing }): StoredSeal {
  return sealSecret({ plaintext: input.token, key: input.keys.current, context: contextOf(input.orgId, input.server) });
}

/** The token in clear, for the org's runtime credentials; throws SecretUnreadable. */
export function openMcpToken(input: { orgId: string; server: string; seal: StoredSeal }, keys: MasterKeyRing): string {
  return openSealedSecret({ sealed: input.seal, keys, context: contextOf(input.orgId, input.server) });
}
