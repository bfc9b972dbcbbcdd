import { z } from 'zod';
import { authenticatedRoute, orgRoute } from '../http/api-route.ts';
import { managers } from '../http/principal.ts';
import { InviteMember } from '../schemas/invite-member.ts';
import { MemberView, OrgView } from '../schemas/org-view.ts';
import { UpdateOrg } from '../schemas/update-org.ts';
import type { OrgProfile, OrgService } from '../services/org-service.ts';
import type { Member } from '../stores/orgs-store.ts';

const OrgParams = z.object({ slug: z.string() });

const orgViewOf = (profile: OrgProfile): OrgView => ({
  slug: profile.org.slug,
  display_name: profile.org.displayName,
  plan: profile.org.plan,
  role: profile.role,
  limits: {
    max_agents: profile.limits.maxAgents,
    requests_per_day: profile.limits.requestsPerDay,
    max_members: profile.limits.maxMembers,
  },
  created_at: profile.org.createdAt.toISOString(),
});
const memberViewOf = (member: Member): MemberView => ({
  email: member.email,
  role: member.role,
  joined_at: member.joinedAt.toISOString(),
});

export function orgRoutes(orgs: OrgService) {
  return [
    authenticatedRoute({
      method: 'get',
      path: '/orgs/me',
      summary: 'Get the org of the caller (the sign-in org of a user, the org of an API key)',
      tag: 'Organizations',
      response: OrgView,
      handle: async ({ principal }) => orgViewOf(await orgs.me(principal)),
    }),
    orgRoute({
      method: 'patch',
      path: '/orgs/{slug}',
      summary: "Update the org's display name",
      tag: 'Organizations',
      roles: managers,
      params: OrgParams,
      body: UpdateOrg,
      response: OrgView,
      handle: async ({ access, body }) => orgViewOf(await orgs.update(access, body)),
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/members',
      summary: 'List the members of the org',
      tag: 'Organizations',
      params: OrgParams,
      response: z.object({ members: z.array(MemberView) }),
      handle: async ({ access }) => ({ members: (await orgs.listMembers(access)).map(memberViewOf) }),
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/members/invite',
      summary: 'Add a user to the org by email (created if new); at most max_members, owner included',
      tag: 'Organizations',
      roles: managers,
      params: OrgParams,
      body: InviteMember,
      response: MemberView,
      errors: [409],
      handle: async ({ access, body }) => memberViewOf(await orgs.invite(access, body)),
    }),
  ];
}
