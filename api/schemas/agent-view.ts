import { z } from 'zod';
import { AgentSummary } from './agent-summary.ts';
import { WizardConfig } from './wizard-config.ts';

// Studio takes this type with `import type` (erased from its bundle): the wizard edits wizard_config.

/** An agent as GET, POST and PUT /orgs/{slug}/agents… answer it: its summary, config and times. */
export const AgentView = AgentSummary.extend({
  agent_id: z.string().describe('The runtime id, {org_slug}__{name}.'),
  updated_at: z.string(),
  paused_at: z.string().nullable(),
  wizard_config: WizardConfig,
  version: z
    .int()
    .nullable()
    .describe(
      'The version its deployment holds (GET …/versions/{n}); null for a draft or a paused agent edited since.',
    ),
});
export type AgentView = z.infer<typeof AgentView>;
