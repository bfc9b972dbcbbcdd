import { z } from 'zod';
import { WizardConfig } from './wizard-config.ts';

// The contracts of an agent's versions (issue 15): GET …/versions, …/versions/{n}, …/versions/{n}/diff
// and POST …/rollback.

const versionMessage = 'must be a whole number from 1';

/** A version number, from a path or query string (digits only) or a JSON body (an integer). */
export const VersionNumber = z.preprocess(
  (value) => (typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : value),
  z.int({ error: versionMessage }).min(1, versionMessage).max(2_147_483_647, versionMessage),
);

export const AgentVersionSummary = z.object({
  version: z.int().describe('1, 2, … per agent; each deploy that changes what the agent runs adds one.'),
  checksum: z.string().describe('sha256 (hex) of `yaml`: equal checksums, equal agents.'),
  deployed_by: z
    .union([z.object({ user_id: z.string() }), z.object({ api_key_id: z.string() })])
    .describe('The user or API key whose deploy (or rollback) recorded it.'),
  rolled_back_from: z
    .int()
    .nullable()
    .describe('Recorded by a rollback: the version whose config it brought back; null for a deploy.'),
  created_at: z.string(),
  is_current: z.boolean().describe("Whether the agent's deployment holds this version now."),
});
export type AgentVersionSummary = z.infer<typeof AgentVersionSummary>;

export const AgentVersionView = AgentVersionSummary.extend({
  wizard_config: WizardConfig,
  yaml: z.string().describe('The compiled astromesh/v1 Agent (its deployed copy also carries metadata.version).'),
});
export type AgentVersionView = z.infer<typeof AgentVersionView>;

export const AgentVersionDiffQuery = z.object({
  against: VersionNumber.optional().describe(
    'The version to compare with; the one before {n} if not given (none for version 1: all of it is added).',
  ),
});

export const AgentVersionDiff = z.object({
  from: z
    .int()
    .nullable()
    .describe('The version compared against (`against`); null for version 1 compared with nothing (all of it added).'),
  to: z.int().describe('The version {n} of the path.'),
  yaml_diff: z.string().describe('Unified diff (diff -u) of the compiled YAML, from → to; empty when equal.'),
  config_changes: z
    .array(z.object({ field: z.string(), from: z.unknown().optional(), to: z.unknown().optional() }))
    .describe('WizardConfig fields that differ, by path (step2.system_prompt); a side is absent where unset.'),
});
export type AgentVersionDiff = z.infer<typeof AgentVersionDiff>;

export const RollbackAgentBody = z.object({
  version: VersionNumber.describe('The earlier version whose config to deploy.'),
});
