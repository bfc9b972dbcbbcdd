import type { Queryable } from '../db/database.ts';
import { WizardConfig } from '../schemas/wizard-config.ts';

/** Who deployed a version: a signed-in user or an org's API key. */
export type VersionDeployer = { kind: 'user'; userId: string } | { kind: 'api_key'; keyId: string };

/** One immutable version of an agent: what a deploy (or a rollback) made it run. */
export interface AgentVersionRecord {
  agentId: string;
  version: number;
  config: WizardConfig;
  /** The compiled astromesh/v1 Agent, without its version stamp. */
  yaml: string;
  /** sha256 of `yaml`, hex. */
  checksum: string;
  deployedBy: VersionDeployer;
  /** Set when a rollback recorded this version: the version whose config it brought back. */
  rolledBackFrom: number | null;
  createdAt: Date;
}

interface AgentVersionRow {
  agent_id: string;
  version: number;
  config: unknown;
  yaml: string;
  checksum: string;
  deployed_by_user_id: string | null;
  deployed_by_api_key_id: string | null;
  rolled_back_from: number | null;
  created_at: Date;
}

const toRecord = (row: AgentVersionRow): AgentVersionRecord => ({
  agentId: row.agent_id,
  version: row.version,
  // Parsed again like the agent's own config: defaults added since are filled in.
  config: WizardConfig.parse(row.config),
  yaml: row.yaml,
  checksum: row.checksum,
  deployedBy: row.deployed_by_user_id
    ? { kind: 'user', userId: row.deployed_by_user_id }
    : { kind: 'api_key', keyId: row.deployed_by_api_key_id as string },
  rolledBackFrom: row.rolled_back_from,
  createdAt: row.created_at,
});

/** Newest first. */
export async function listAgentVersions(db: Queryable, agentId: string): Promise<AgentVersionRecord[]> {
  const { rows } = await db.query<AgentVersionRow>(
    'SELECT * FROM agent_versions WHERE agent_id = $1 ORDER BY version DESC',
    [agentId],
  );
  return rows.map(toRecord);
}

export async function findAgentVersion(
  db: Queryable,
  input: { agentId: string; version: number },
): Promise<AgentVersionRecord | undefined> {
  const { rows } = await db.query<AgentVersionRow>(
    'SELECT * FROM agent_versions WHERE agent_id = $1 AND version = $2',
    [input.agentId, input.version],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function findLatestAgentVersion(db: Queryable, agentId: string): Promise<AgentVersionRecord | undefined> {
  const { rows } = await db.query<AgentVersionRow>(
    'SELECT * FROM agent_versions WHERE agent_id = $1 ORDER BY version DESC LIMIT 1',
    [agentId],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/**
 * Records the next version of the agent (latest + 1). The caller holds the agent's row lock (its
 * deploy transaction), so two deploys of one agent never pick the same number.
 */
export async function insertNextAgentVersion(
  db: Queryable,
  input: Omit<AgentVersionRecord, 'version' | 'createdAt'>,
): Promise<AgentVersionRecord> {
  const { rows } = await db.query<AgentVersionRow>(
    `INSERT INTO agent_versions
       (agent_id, version, config, yaml, checksum, deployed_by_user_id, deployed_by_api_key_id, rolled_back_from)
     SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6, $7 FROM agent_versions WHERE agent_id = $1
     RETURNING *`,
    [
      input.agentId,
      JSON.stringify(input.config),
      input.yaml,
      input.checksum,
      input.deployedBy.kind === 'user' ? input.deployedBy.userId : null,
      input.deployedBy.kind === 'api_key' ? input.deployedBy.keyId : null,
      input.rolledBackFrom,
    ],
  );
  return toRecord(rows[0] as AgentVersionRow);
}
