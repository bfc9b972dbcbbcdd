import type { Queryable } from '../db/database.ts';
import { WizardConfig } from '../schemas/wizard-config.ts';

export type AgentStatus = 'draft' | 'deployed' | 'paused';

export interface AgentRecord {
  id: string;
  orgId: string;
  name: string;
  displayName: string;
  config: WizardConfig;
  status: AgentStatus;
  createdAt: Date;
  updatedAt: Date;
  deployedAt: Date | null;
  pausedAt: Date | null;
  /** The version its deployment holds (agent_versions); null for a draft, or a paused agent edited since. */
  version: number | null;
}

export interface AgentRow {
  id: string;
  org_id: string;
  name: string;
  display_name: string;
  config: unknown;
  status: AgentStatus;
  created_at: Date;
  updated_at: Date;
  deployed_at: Date | null;
  paused_at: Date | null;
  version: number | null;
}

export const toRecord = (row: AgentRow): AgentRecord => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  displayName: row.display_name,
  // Stored configs were validated on the way in; parsing again fills defaults added since.
  config: WizardConfig.parse(row.config),
  status: row.status,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  deployedAt: row.deployed_at,
  pausedAt: row.paused_at,
  version: row.version ?? null,
});

export async function listAgents(db: Queryable, orgId: string): Promise<AgentRecord[]> {
  const { rows } = await db.query<AgentRow>('SELECT * FROM agents WHERE org_id = $1 ORDER BY created_at, name', [
    orgId,
  ]);
  return rows.map(toRecord);
}

export async function listDeployedAgents(db: Queryable, orgId: string): Promise<AgentRecord[]> {
  const { rows } = await db.query<AgentRow>(
    "SELECT * FROM agents WHERE org_id = $1 AND status = 'deployed' ORDER BY name",
    [orgId],
  );
  return rows.map(toRecord);
}

export async function listPausedAgents(db: Queryable, orgId: string): Promise<AgentRecord[]> {
  const { rows } = await db.query<AgentRow>(
    "SELECT * FROM agents WHERE org_id = $1 AND status = 'paused' ORDER BY name",
    [orgId],
  );
  return rows.map(toRecord);
}

export async function findAgent(
  db: Queryable,
  input: { orgId: string; name: string; forUpdate?: boolean },
): Promise<AgentRecord | undefined> {
  // Named: looked up on every run, so PostgreSQL parses and plans it once per connection.
  const { rows } = await db.query<AgentRow>({
    name: input.forUpdate ? 'find-agent-for-update' : 'find-agent',
    text: `SELECT * FROM agents WHERE org_id = $1 AND name = $2${input.forUpdate ? ' FOR UPDATE' : ''}`,
    values: [input.orgId, input.name],
  });
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function countAgents(db: Queryable, orgId: string): Promise<number> {
  const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM agents WHERE org_id = $1', [orgId]);
  return Number(rows[0]?.count ?? 0);
}

/** Inserts a draft; undefined when the org already has an agent of that name. */
export async function insertAgent(
  db: Queryable,
  input: { orgId: string; config: WizardConfig },
): Promise<AgentRecord | undefined> {
  const { rows } = await db.query<AgentRow>(
    `INSERT INTO agents (org_id, name, display_name, config, status) VALUES ($1, $2, $3, $4, 'draft')
     ON CONFLICT (org_id, name) DO NOTHING RETURNING *`,
    [input.orgId, input.config.name, input.config.display_name ?? input.config.name, JSON.stringify(input.config)],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function updateAgentConfig(db: Queryable, id: string, config: WizardConfig): Promise<AgentRecord> {
  // An edit that changes the config leaves the agent on no version until its next deploy records one.
  const { rows } = await db.query<AgentRow>(
    `UPDATE agents SET config = $2, display_name = $3, updated_at = now(),
       version = CASE WHEN config = $2::jsonb THEN version END
     WHERE id = $1 RETURNING *`,
    [id, JSON.stringify(config), config.display_name ?? config.name],
  );
  return toRecord(rows[0] as AgentRow);
}

/** Deploys `config` as `version` (a deploy, or a rollback that brings back an earlier config). */
export async function setAgentDeployedVersion(
  db: Queryable,
  input: { id: string; config: WizardConfig; version: number },
): Promise<AgentRecord> {
  const { rows } = await db.query<AgentRow>(
    `UPDATE agents SET status = 'deployed', config = $2, display_name = $3, version = $4,
       updated_at = now(), deployed_at = now()
     WHERE id = $1 RETURNING *`,
    [input.id, JSON.stringify(input.config), input.config.display_name ?? input.config.name, input.version],
  );
  return toRecord(rows[0] as AgentRow);
}

export async function setAgentStatus(db: Queryable, id: string, status: AgentStatus): Promise<AgentRecord> {
  const stamp = status === 'deployed' ? ', deployed_at = now()' : status === 'paused' ? ', paused_at = now()' : '';
  const { rows } = await db.query<AgentRow>(
    `UPDATE agents SET status = $2, updated_at = now()${stamp} WHERE id = $1 RETURNING *`,
    [id, status],
  );
  return toRecord(rows[0] as AgentRow);
}

export async function deleteAgent(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM agents WHERE id = $1', [id]);
}

/**
 * Every org with at least one deployed or paused agent: the orgs that have a deployment to
 * restore (runtimes after a restart, CloudAgents that drifted). Drafts run nowhere.
 */
export async function listOrgsWithDeployedOrPausedAgents(db: Queryable): Promise<{ id: string; slug: string }[]> {
  const { rows } = await db.query<{ id: string; slug: string }>(
    `SELECT o.id, o.slug FROM orgs o
     WHERE EXISTS (SELECT 1 FROM agents a WHERE a.org_id = o.id AND a.status IN ('deployed', 'paused'))
     ORDER BY o.slug`,
  );
  return rows;
}
