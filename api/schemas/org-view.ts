import { z } from 'zod';

// Imports zod only, so Studio (studio/src/api) can take its types without pulling in the API.

/** A role in an org: owners and admins manage it, members run and read (api/http/principal.ts). */
export const OrgRole = z.enum(['owner', 'admin', 'member']);
export type OrgRole = z.infer<typeof OrgRole>;

/** GET /orgs/me and PATCH /orgs/{slug}: the org, the caller's role in it and the plan's limits (seed 003). */
export const OrgView = z.object({
  slug: z.string(),
  display_name: z.string(),
  plan: z.string(),
  role: OrgRole.describe("The caller's role in the org."),
  limits: z.object({ max_agents: z.int(), requests_per_day: z.int(), max_members: z.int() }),
  created_at: z.string(),
});
export type OrgView = z.infer<typeof OrgView>;

/** A member as GET /orgs/{slug}/members lists it and POST …/members/invite answers. */
export const MemberView = z.object({
  email: z.string(),
  role: OrgRole,
  joined_at: z.string(),
});
export type MemberView = z.infer<typeof MemberView>;
