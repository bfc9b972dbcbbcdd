import type { Queryable } from '../db/database.ts';
import type { StoredSeal } from './provider-keys-store.ts';
import { replaceStoredSeal } from './replace-stored-seal.ts';

export interface McpServerRecord {
  orgId: string;
  name: string;
  url: string;
  /** The sealed bearer token; null for a server without one. */
  seal: StoredSeal | null;
  maskedToken: string | null;
  /** The server's tools the org's agents are offered; null: all of them. */
  tools: string[] | null;
  createdAt: Date;
  updatedAt: Date;
}

interface McpServerRow {
  org_id: string;
  name: string;
  url: string;
  key_id: string | null;
  iv: Buffer | null;
  ciphertext: Buffer | null;
  auth_tag: Buffer | null;
  masked_token: string | null;
  tools: string[] | null;
  created_at: Date;
  updated_at: Date;
}

const toRecord = (row: McpServerRow): McpServerRecord => ({
  orgId: row.org_id,
  name: row.name,
  url: row.url,
  seal:
    row.key_id === null || row.iv === null || row.ciphertext === null || row.auth_tag === null
      ? null
      : { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, authTag: row.auth_tag },
  maskedToken: row.masked_token,
  tools: row.tools,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function listMcpServers(db: Queryable, orgId: string): Promise<McpServerRecord[]> {
  const { rows } = await db.query<McpServerRow>('SELECT * FROM mcp_servers WHERE org_id = $1 ORDER BY name', [orgId]);
  return rows.map(toRecord);
}

export async function findMcpServer(
  db: Queryable,
  input: { orgId: string; name: string; forUpdate?: boolean },
): Promise<McpServerRecord | undefined> {
  const { rows } = await db.query<McpServerRow>(
    `SELECT * FROM mcp_servers WHERE org_id = $1 AND name = $2${input.forUpdate ? ' FOR UPDATE' : ''}`,
    [input.orgId, input.name],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/**
 * Creates the org's server or replaces it. `token` undefined keeps the stored token (a replace
 * that does not resend it); null removes it. `created_at` stays that of the first save; `created`
 * says whether the server is new.
 */
export async function upsertMcpServer(
  db: Queryable,
  input: {
    orgId: string;
    name: string;
    url: string;
    token: { seal: StoredSeal; maskedToken: string } | null | undefined;
    tools: string[] | null;
  },
): Promise<{ server: McpServerRecord; created: boolean }> {
  const seal = input.token?.seal;
  const { rows } = await db.query<McpServerRow & { created: boolean }>(
    `INSERT INTO mcp_servers (org_id, name, url, key_id, iv, ciphertext, auth_tag, masked_token, tools)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (org_id, name) DO UPDATE SET url = EXCLUDED.url, tools = EXCLUDED.tools, updated_at = now(),
       key_id = CASE WHEN $10 THEN mcp_servers.key_id ELSE EXCLUDED.key_id END,
       iv = CASE WHEN $10 THEN mcp_servers.iv ELSE EXCLUDED.iv END,
       ciphertext = CASE WHEN $10 THEN mcp_servers.ciphertext ELSE EXCLUDED.ciphertext END,
       auth_tag = CASE WHEN $10 THEN mcp_servers.auth_tag ELSE EXCLUDED.auth_tag END,
       masked_token = CASE WHEN $10 THEN mcp_servers.masked_token ELSE EXCLUDED.masked_token END
     RETURNING *, (xmax = 0) AS created`,
    [
      input.orgId,
      input.name,
      input.url,
      seal?.keyId ?? null,
      seal?.iv ?? null,
      seal?.ciphertext ?? null,
      seal?.authTag ?? null,
      input.token?.maskedToken ?? null,
      input.tools,
      input.token === undefined,
    ],
  );
  const row = rows[0] as McpServerRow & { created: boolean };
  return { server: toRecord(row), created: row.created };
}

/** False when the org had no server of that name. */
export async function deleteMcpServer(db: Queryable, input: { orgId: string; name: string }): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM mcp_servers WHERE org_id = $1 AND name = $2', [
    input.orgId,
    input.name,
  ]);
  return (rowCount ?? 0) > 0;
}

/** The org's agents (any status) whose wizard config names each server: server name → agent names. */
export async function agentsUsingMcpServers(db: Queryable, orgId: string): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ server: string; agents: string[] }>(
    `SELECT server, array_agg(a.name ORDER BY a.name) AS agents
     FROM agents a, jsonb_array_elements_text(coalesce(a.config -> 'step3' -> 'mcp_servers', '[]'::jsonb)) AS server
     WHERE a.org_id = $1
     GROUP BY server`,
    [orgId],
  );
  return new Map(rows.map((row) => [row.server, row.agents]));
}

/** Every org's tokens sealed with a master key other than `keyId`: what a rotation must reseal. */
export async function listMcpServersNotSealedWith(db: Queryable, keyId: string): Promise<McpServerRecord[]> {
  const { rows } = await db.query<McpServerRow>(
    'SELECT * FROM mcp_servers WHERE key_id IS NOT NULL AND key_id <> $1 ORDER BY org_id, name',
    [keyId],
  );
  return rows.map(toRecord);
}

/**
 * Swaps one server's token seal for `seal`, only if the row still holds `previous` (same master
 * key, same IV): a token saved again meanwhile must not be overwritten with its older value.
 */
export function replaceMcpServerSeal(
  db: Queryable,
  input: { orgId: string; name: string; previous: StoredSeal; seal: StoredSeal },
): Promise<boolean> {
  return replaceStoredSeal(db, {
    table: 'mcp_servers',
    row: [
      ['org_id', input.orgId],
      ['name', input.name],
    ],
    previous: input.previous,
    seal: input.seal,
  });
}
