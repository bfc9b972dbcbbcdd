import type { Database } from '../db/database.ts';
import { Forbidden } from '../errors.ts';
import { roleOf } from '../stores/orgs-store.ts';
import type { OrgAccess, Principal, Role } from './principal.ts';

/**
 * The principal's access to the org named in the path, or 403. The same 403 answers "no such
 * org" and "not yours", so nothing about other orgs leaks.
 */
export async function resolveOrgAccess(
  db: Database,
  principal: Principal,
  orgSlug: string,
  allowedRoles: readonly Role[],
): Promise<OrgAccess> {
  const access = await accessOf(db, principal, orgSlug);
  if (!access) throw new Forbidden(`you have no access to org '${orgSlug}'`);
  if (!allowedRoles.includes(access.role)) {
    throw new Forbidden(
      `this needs one of the roles ${allowedRoles.join(', ')}; you are ${access.role} in '${orgSlug}'`,
    );
  }
  return access;
}

async function accessOf(db: Database, principal: Principal, orgSlug: string): Promise<OrgAccess | undefined> {
  if (principal.kind === 'api_key') {
    return principal.orgSlug === orgSlug
      ? { principal, orgId: principal.orgId, orgSlug, role: principal.role }
      : undefined;
  }
  const membership = await roleOf(db, { orgSlug, userId: principal.userId });
  return membership ? { principal, orgId: membership.orgId, orgSlug, role: membership.role } : undefined;
}
