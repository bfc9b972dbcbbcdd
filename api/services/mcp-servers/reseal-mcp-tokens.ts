import type { Database } from '../../db/database.ts';
import { listMcpServersNotSealedWith, replaceMcpServerSeal } from '../../stores/mcp-servers-store.ts';
import { type MasterKeyRing, SecretUnreadable } from '../seal-secret.ts';
import { openMcpToken, sealMcpToken } from './mcp-token-seal.ts';

export interface McpTokenResealReport {
  /** Tokens now sealed with the current master key. */
  resealed: number;
  /** Tokens sealed with a master key this process does not have: they stay as they are. */
  unreadable: { orgId: string; server: string; keyId: string }[];
}

/**
 * Re-encrypts every MCP server token sealed with an older master key under the current one, as
 * resealProviderKeys does for provider keys, so a rotated-out master key can be dropped without
 * breaking the org's MCP servers. Run at startup; safe on several replicas (each row is swapped
 * only if nobody changed it meanwhile). The plaintext does not change: no runtime is re-applied.
 */
export async function resealMcpTokens(deps: { db: Database; keys: MasterKeyRing }): Promise<McpTokenResealReport> {
  const report: McpTokenResealReport = { resealed: 0, unreadable: [] };
  for (const server of await listMcpServersNotSealedWith(deps.db, deps.keys.current.id)) {
    if (!server.seal) continue;
    let token: string;
    try {
      token = openMcpToken({ orgId: server.orgId, server: server.name, seal: server.seal }, deps.keys);
    } catch (err) {
      if (!(err instanceof SecretUnreadable)) throw err;
      report.unreadable.push({ orgId: server.orgId, server: server.name, keyId: server.seal.keyId });
      continue;
    }
    const seal = sealMcpToken({ orgId: server.orgId, server: server.name, token, keys: deps.keys });
    const isReplaced = await replaceMcpServerSeal(deps.db, {
      orgId: server.orgId,
      name: server.name,
      previous: server.seal,
      seal,
    });
    if (isReplaced) report.resealed++;
  }
  return report;
}
