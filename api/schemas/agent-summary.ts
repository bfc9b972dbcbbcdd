import { z } from 'zod';

// Imports zod only, so Studio (studio/src/api) can take its types without pulling in the API.

export const agentStatuses = ['draft', 'deployed', 'paused'] as const;
export const AgentStatus = z.enum(agentStatuses);
export type AgentStatus = z.infer<typeof AgentStatus>;

/** An agent as GET /orgs/{slug}/agents lists it (seed 003). */
export const AgentSummary = z.object({
  name: z.string(),
  display_name: z.string(),
  status: AgentStatus,
  model: z.string(),
  created_at: z.string(),
  deployed_at: z.string().nullable(),
});
export type AgentSummary = z.infer<typeof AgentSummary>;
