import { Conflict, NotFound } from '../../errors.ts';
import type { OrgAccess } from '../../http/principal.ts';
import type { SaveMcpServer } from '../../schemas/mcp-server.ts';
import {
  agentsUsingMcpServers,
  deleteMcpServer,
  listMcpServers,
  type McpServerRecord,
  upsertMcpServer,
} from '../../stores/mcp-servers-store.ts';
import { maskSecret } from '../mask-secret.ts';
import { applyOrgDeployment, inOrgDeploymentTransaction, type OrgDeploymentDeps } from '../org-deployment.ts';
import type { MasterKeyRing } from '../seal-secret.ts';
import { sealMcpToken } from './mcp-token-seal.ts';
import { resealMcpTokens } from './reseal-mcp-tokens.ts';

export interface McpServerServiceDeps extends OrgDeploymentDeps {
  masterKeys: MasterKeyRing;
}

/** A server with the agents that name it (any status). */
export interface McpServerUse {
  server: McpServerRecord;
  agents: string[];
}

/**
 * The org's MCP tool servers (issue 16, item 2a): Streamable HTTP endpoints whose tools the org's
 * agents may call. The URL and the sealed token reach the runtime as credentials, like provider
 * keys: a change is applied inside the transaction that stores it (re-compiling the agents that
 * name the server), so a runtime that cannot take it leaves the stored servers as they were.
 */
export function createMcpServerService(deps: McpServerServiceDeps) {
  const { db } = deps;

  return {
    async list(access: OrgAccess): Promise<McpServerUse[]> {
      const [servers, users] = await Promise.all([
        listMcpServers(db, access.orgId),
        agentsUsingMcpServers(db, access.orgId),
      ]);
      return servers.map((server) => ({ server, agents: users.get(server.name) ?? [] }));
    },

    /** Creates the server or replaces it; a token left out keeps the stored one, null removes it. */
    async save(access: OrgAccess, name: string, input: SaveMcpServer): Promise<McpServerUse & { created: boolean }> {
      const token =
        typeof input.token === 'string'
          ? {
              seal: sealMcpToken({ orgId: access.orgId, server: name, token: input.token, keys: deps.masterKeys }),
              maskedToken: maskSecret(input.token),
            }
          : input.token;
      const org = { id: access.orgId, slug: access.orgSlug };
      return inOrgDeploymentTransaction(deps, org, async (client) => {
        const saved = await upsertMcpServer(client, {
          orgId: access.orgId,
          name,
          url: input.url,
          token,
          tools: input.tools ?? null,
        });
        await applyOrgDeployment(client, deps, org);
        const agents = (await agentsUsingMcpServers(client, access.orgId)).get(name) ?? [];
        return { ...saved, agents };
      });
    },

    /** 409 while an agent (draft, paused or deployed) names the server: it would no longer load. */
    async remove(access: OrgAccess, name: string): Promise<void> {
      const org = { id: access.orgId, slug: access.orgSlug };
      await inOrgDeploymentTransaction(deps, org, async (client) => {
        // Under the org's lock, which saving or deploying an agent takes too: no agent can start
        // naming the server between this check and the delete.
        const agents = (await agentsUsingMcpServers(client, access.orgId)).get(name) ?? [];
        if (agents.length > 0) {
          throw new Conflict(
            'mcp_server_in_use',
            `MCP server '${name}' is used by agent${agents.length === 1 ? '' : 's'} ${agents.map((agent) => `'${agent}'`).join(', ')}; remove it from their step3.mcp_servers first`,
          );
        }
        if (!(await deleteMcpServer(client, { orgId: access.orgId, name }))) throw new NotFound(`MCP server '${name}'`);
        await applyOrgDeployment(client, deps, org);
      });
    },

    /** See resealMcpTokens: main calls it at startup, after a master-key rotation. */
    resealTokens: () => resealMcpTokens({ db, keys: deps.masterKeys }),
  };
}
export type McpServerService = ReturnType<typeof createMcpServerService>;
