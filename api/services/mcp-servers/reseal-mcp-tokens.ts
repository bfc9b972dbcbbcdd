import type { Database } from '../../db/database.ts';
import { listMcpServersNotSealedWith, replaceMcpServerSeal } from '../../stores/mcp-servers-store.ts';
import { type ResealReport, resealSealedSecrets } from '../reseal-sealed-secrets.ts';
import type { MasterKeyRing, SealedSecret } from '../seal-secret.ts';
import { openMcpToken, sealMcpToken } from './mcp-token-seal.ts';

/**
 * MCP server tokens sealed with an older master key, resealed under the current one
 * (resealSealedSecrets), so the old key can go without breaking the org's MCP servers.
 */
export async function resealMcpTokens(deps: {
  db: Database;
  keys: MasterKeyRing;
}): Promise<ResealReport<{ orgId: string; server: string; keyId: string }>> {
  const servers = (await listMcpServersNotSealedWith(deps.db, deps.keys.current.id)).flatMap((server) =>
    server.seal ? [{ ...server, seal: server.seal as SealedSecret }] : [],
  );
  return resealSealedSecrets(servers, {
    open: (server) => openMcpToken({ orgId: server.orgId, server: server.name, seal: server.seal }, deps.keys),
    seal: (server, token) => sealMcpToken({ orgId: server.orgId, server: server.name, token, keys: deps.keys }),
    replace: (server, seal) =>
      replaceMcpServerSeal(deps.db, { orgId: server.orgId, name: server.name, previous: server.seal, seal }),
    unreadable: (server) => ({ orgId: server.orgId, server: server.name, keyId: server.seal.keyId }),
  });
}
