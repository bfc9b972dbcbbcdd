import type { ApiConfig } from '../config/api-config.ts';
import { type Database, inTransaction } from '../db/database.ts';
import { AppError, Forbidden, Unauthenticated } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { addMember, findOrgById, firstOrgOf, insertOrg, type Org } from '../stores/orgs-store.ts';
import {
  findSession,
  insertRefreshToken,
  insertSession,
  revokeSession,
  useRefreshToken,
} from '../stores/sessions-store.ts';
import { recordUserIdentity } from '../stores/user-identities-store.ts';
import { upsertUser } from '../stores/users-store.ts';
import { RefreshTokenReused } from './auth-event-errors.ts';
import { hashSecret, type TokenService } from './token-service.ts';

export interface TokenPair {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token: string;
  org_slug: string;
}

export function createAuthService(deps: {
  db: Database;
  tokens: TokenService;
  config: Pick<ApiConfig, 'devLoginEnabled'>;
  now: () => Date;
  /** Told of each session revoked here, so what this process cached of it goes at once. */
  onSessionRevoked?: (sessionId: string) => void;
}) {
  const { db, tokens } = deps;

  async function issueTokens(input: {
    userId: string;
    email: string;
    org: Org;
    sessionId?: string;
  }): Promise<TokenPair> {
    return inTransaction(db, async (client) => {
      const sessionId =
        input.sessionId ??
        (
          await insertSession(client, {
            userId: input.userId,
            orgId: input.org.id,
            expiresAt: new Date(deps.now().getTime() + tokens.refreshTtlSeconds * 1000),
          })
        ).id;
      const refresh = tokens.newRefreshToken();
      await insertRefreshToken(client, { tokenHash: refresh.hash, sessionId });
      return {
        access_token: tokens.signAccessToken({
          sub: input.userId,
          sid: sessionId,
          org: input.org.slug,
          email: input.email,
        }),
        token_type: 'bearer',
        expires_in: tokens.accessTtlSeconds,
        refresh_token: refresh.token,
        org_slug: input.org.slug,
      };
    });
  }

  /** The user of the email (created if new) in their first org, or an org of their own if they have none. */
  async function signInByEmail(input: {
    email: string;
    name: string;
    identity?: { provider: string; subject: string };
  }): Promise<{ tokens: TokenPair; userId: string }> {
    const email = input.email.trim().toLowerCase();
    const { user, org } = await inTransaction(db, async (client) => {
      const user = await upsertUser(client, { email, name: input.name });
      if (input.identity) await recordUserIdentity(client, { ...input.identity, userId: user.id, email });
      const existing = await firstOrgOf(client, user.id);
      if (existing) return { user, org: existing };
      const org = await createOwnOrg(client, { email, name: input.name || email });
      await addMember(client, { orgId: org.id, userId: user.id, role: 'owner' });
      return { user, org };
    });
    return { tokens: await issueTokens({ userId: user.id, email: user.email, org }), userId: user.id };
  }

  return {
    /** Creates or retrieves the user and their org (DESIGN: development and tests only). */
    async devLogin(input: { email: string; name: string }): Promise<TokenPair> {
      if (!deps.config.devLoginEnabled) {
        throw new AppError('dev_login_disabled', 403, 'dev login is disabled on this deployment (ASTROMESH_DEV_LOGIN)');
      }
      return (await signInByEmail(input)).tokens;
    },

    /**
     * Signs in the account of an email an identity provider has verified: the same session as dev
     * login's. An invited email already has a user and a membership, so signing in accepts it.
     */
    async signInVerified(input: {
      email: string;
      name: string;
      identity: { provider: string; subject: string };
    }): Promise<{ tokens: TokenPair; userId: string }> {
      return signInByEmail(input);
    },

    /**
     * Trades a refresh token for a new pair. Each token works once: presenting a used one means it
     * was stolen or replayed, so the whole session (every token of the family) is revoked.
     */
    async refresh(refreshToken: string): Promise<TokenPair> {
      const used = await useRefreshToken(db, hashSecret(refreshToken));
      if (!used) throw new Unauthenticated('refresh token not recognised');
      const session = await findSession(db, used.sessionId);
      if (!session || session.revokedAt || session.expiresAt <= deps.now()) {
        throw new Unauthenticated('the session of this refresh token has ended; sign in again');
      }
      if (!used.fresh) {
        await revokeSession(db, session.id, 'refresh token reuse');
        deps.onSessionRevoked?.(session.id);
        throw new RefreshTokenReused({ userId: session.userId, orgId: session.orgId, sessionId: session.id });
      }
      const org = await findOrgById(db, session.orgId);
      const user = await db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [session.userId]);
      if (!org || !user.rows[0]) throw new Unauthenticated('the account of this session no longer exists');
      return issueTokens({ userId: session.userId, email: user.rows[0].email, org, sessionId: session.id });
    },

    async logout(principal: Principal): Promise<void> {
      if (principal.kind !== 'user')
        throw new Forbidden('an API key has no session to log out of; revoke the key instead');
      await revokeSession(db, principal.sessionId, 'logout');
      deps.onSessionRevoked?.(principal.sessionId);
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;

/** The user's own org, with a slug derived from the email: dev@example.com → dev-example-com. */
async function createOwnOrg(db: Parameters<typeof insertOrg>[0], input: { email: string; name: string }): Promise<Org> {
  const base = slugFromEmail(input.email);
  for (let attempt = 1; attempt < 100; attempt++) {
    const slug = attempt === 1 ? base : `${base.slice(0, 36)}-${attempt}`;
    const org = await insertOrg(db, { slug, displayName: input.name });
    if (org) return org;
  }
  throw new Error(`no free org slug for ${base}`);
}

export function slugFromEmail(email: string): string {
  const slug = email
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug === '' ? 'org' : slug;
}
