import type { Database } from '../db/database.ts';
import { Forbidden, Unauthenticated } from '../errors.ts';
import type { OrgAccessCache } from './org-access-cache.ts';
import type { OrgAccess, Principal, Role } from './principal.ts';

const revokedToken = 'the bearer token is invalid, expired or revoked';

/**
 * The principal's access to the org named in the path, or 403. The same 403 answers "no such
 * org" and "not yours", so nothing about other orgs leaks.
 */
export async function resolveOrgAccess(
  deps: { db: Database; now: () => Date; accessCache?: OrgAccessCache },
  principal: Principal,
  orgSlug: string,
  allowedRoles: readonly Role[],
): Promise<OrgAccess> {
  const access = await accessOf(deps, principal, orgSlug);
  if (!access) throw new Forbidden(`you have no access to org '${orgSlug}'`);
  if (!allowedRoles.includes(access.role)) {
    throw new Forbidden(
      `this needs one of the roles ${allowedRoles.join(', ')}; you are ${access.role} in '${orgSlug}'`,
    );
  }
  return access;
}

async function accessOf(
  deps: { db: Database; now: () => Date; accessCache?: OrgAccessCache },
  principal: Principal,
  orgSlug: string,
): Promise<OrgAccess | undefined> {
  if (principal.kind === 'api_key') {
    return principal.orgSlug === orgSlug
      ? { principal, orgId: principal.orgId, orgSlug, role: principal.role }
      : undefined;
  }
  const key = { sessionId: principal.sessionId, userId: principal.userId, orgSlug };
  const cached = deps.accessCache?.get(key);
  if (cached) return { principal, orgId: cached.orgId, orgSlug, role: cached.role };
  // One round trip for both questions of a signed-in request: is the session still alive
  // (logout and refresh-token reuse revoke it at once), and what is the user's role here?
  const { rows } = await deps.db.query<{
    active: boolean;
    expires_at: Date;
    org_id: string | null;
    role: Role | null;
  }>({
    name: 'session-and-role',
    text: `SELECT (s.revoked_at IS NULL AND s.expires_at > $4) AS active, s.expires_at, m.org_id, m.role
     FROM auth_sessions s
     LEFT JOIN orgs o ON o.slug = $3
     LEFT JOIN org_members m ON m.org_id = o.id AND m.user_id = s.user_id
     WHERE s.id = $1 AND s.user_id = $2`,
    values: [principal.sessionId, principal.userId, orgSlug, deps.now()],
  });
  const row = rows[0];
  if (!row?.active) throw new Unauthenticated(revokedToken);
  if (!row.org_id || !row.role) return undefined;
  deps.accessCache?.remember(key, { orgId: row.org_id, role: row.role, sessionExpiresAt: row.expires_at });
  return { principal, orgId: row.org_id, orgSlug, role: row.role };
}

/** For signed-in routes outside an org path: 401 unless the principal's session is alive. */
export async function requireActiveSession(
  deps: { db: Database; now: () => Date },
  principal: Principal,
): Promise<void> {
  if (principal.kind === 'api_key') return;
  const { rows } = await deps.db.query<{ active: boolean }>(
    'SELECT (revoked_at IS NULL AND expires_at > $3) AS active FROM auth_sessions WHERE id = $1 AND user_id = $2',
    [principal.sessionId, principal.userId, deps.now()],
  );
  if (!rows[0]?.active) throw new Unauthenticated(revokedToken);
}
