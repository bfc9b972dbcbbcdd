export type Role = 'owner' | 'admin' | 'member';

/** Who is calling: a signed-in user (JWT) or an org's API key. */
export type Principal =
  | { kind: 'user'; userId: string; sessionId: string; email: string; loginOrgSlug: string }
  | { kind: 'api_key'; keyId: string; orgId: string; orgSlug: string; role: Exclude<Role, 'owner'> };

/** A principal acting in one org, with the role it has there. */
export interface OrgAccess {
  principal: Principal;
  orgId: string;
  orgSlug: string;
  role: Role;
}

/** Owners and admins change the org, invite, and manage keys and agents; members run and read. */
export const managers: readonly Role[] = ['owner', 'admin'];
export const everyone: readonly Role[] = ['owner', 'admin', 'member'];
