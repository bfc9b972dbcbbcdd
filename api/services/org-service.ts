import type { ApiConfig } from '../config/api-config.ts';
import { type Database, inTransaction } from '../db/database.ts';
import { Conflict, Forbidden } from '../errors.ts';
import type { OrgAccess, Principal, Role } from '../http/principal.ts';
import type { InviteMember } from '../schemas/invite-member.ts';
import type { UpdateOrg } from '../schemas/update-org.ts';
import { findMember, insertMember, lockOrgMembership } from '../stores/org-members-store.ts';
import {
  countMembers,
  findOrgById,
  listMembers,
  type Member,
  type Org,
  roleOf,
  updateOrgDisplayName,
} from '../stores/orgs-store.ts';
import { upsertUser } from '../stores/users-store.ts';

/** An org as its members see it: the org, the caller's role in it and the plan's limits. */
export interface OrgProfile {
  org: Org;
  role: Role;
  limits: { maxAgents: number; requestsPerDay: number; maxMembers: number };
}

export interface OrgServiceDeps {
  db: Database;
  limits: Pick<ApiConfig['limits'], 'maxAgents' | 'dailyRuns' | 'maxMembers'>;
}

/**
 * The org and its members (seed 003, Organizations). Every org has the free plan's limits for
 * now; an invited email becomes a member at once (there is no mail to accept), owner included
 * in the member limit.
 */
export function createOrgService(deps: OrgServiceDeps) {
  const { db } = deps;
  const limits = {
    maxAgents: deps.limits.maxAgents,
    requestsPerDay: deps.limits.dailyRuns,
    maxMembers: deps.limits.maxMembers,
  };

  async function profileOf(orgId: string, role: Role): Promise<OrgProfile> {
    const org = await findOrgById(db, orgId);
    // Orgs are never deleted while a principal can still reach them; gone means no access.
    if (!org) throw new Forbidden('the org of these credentials no longer exists');
    return { org, role, limits };
  }

  return {
    /** The org of the caller: the one a user signed in to, or the one an API key belongs to. */
    async me(principal: Principal): Promise<OrgProfile> {
      if (principal.kind === 'api_key') return profileOf(principal.orgId, principal.role);
      const membership = await roleOf(db, { orgSlug: principal.loginOrgSlug, userId: principal.userId });
      if (!membership) throw new Forbidden(`you have no access to org '${principal.loginOrgSlug}'`);
      return profileOf(membership.orgId, membership.role);
    },

    async update(access: OrgAccess, input: UpdateOrg): Promise<OrgProfile> {
      if (input.display_name !== undefined) await updateOrgDisplayName(db, access.orgId, input.display_name);
      return profileOf(access.orgId, access.role);
    },

    listMembers: (access: OrgAccess): Promise<Member[]> => listMembers(db, access.orgId),

    /** Adds the user of `email` (created if new) to the org; 409 if already a member or the org is full. */
    async invite(access: OrgAccess, input: InviteMember): Promise<Member> {
      const email = input.email.trim().toLowerCase();
      return inTransaction(db, async (client) => {
        await lockOrgMembership(client, access.orgId);
        const user = await upsertUser(client, { email, name: '' });
        if (await findMember(client, { orgId: access.orgId, userId: user.id })) {
          throw new Conflict('already_member', `${email} is already a member of '${access.orgSlug}'`);
        }
        if ((await countMembers(client, access.orgId)) >= limits.maxMembers) {
          throw new Conflict(
            'member_limit_reached',
            `an org may have at most ${limits.maxMembers} members, owner included`,
          );
        }
        return insertMember(client, { orgId: access.orgId, userId: user.id, role: input.role });
      });
    },
  };
}
export type OrgService = ReturnType<typeof createOrgService>;
