import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ApiConfig } from '../config/api-config.ts';

// One algorithm, pinned for signing and verifying: a token claiming `none` or RS256 is refused.
const algorithm = 'HS256';

export interface AccessClaims {
  /** User id. */
  sub: string;
  /** Session (refresh family) id: logout revokes it, and with it every access token it issued. */
  sid: string;
  /** The org the user signed in to. */
  org: string;
  email: string;
}

export function createTokenService(config: ApiConfig['jwt']) {
  // A KeyObject, made once: given a string, jsonwebtoken first tries (and fails) to read it as a
  // public key on every verification.
  const key = createSecretKey(Buffer.from(config.secret, 'utf8'));
  return {
    accessTtlSeconds: config.accessTtlSeconds,
    refreshTtlSeconds: config.refreshTtlSeconds,

    signAccessToken(claims: AccessClaims): string {
      return jwt.sign({ sid: claims.sid, org: claims.org, email: claims.email }, key, {
        algorithm,
        subject: claims.sub,
        issuer: config.issuer,
        audience: config.audience,
        expiresIn: config.accessTtlSeconds,
      });
    },

    /** The claims of a valid token, or undefined (bad signature, expired, wrong issuer or audience). */
    verifyAccessToken(token: string): AccessClaims | undefined {
      try {
        const payload = jwt.verify(token, key, {
          algorithms: [algorithm],
          issuer: config.issuer,
          audience: config.audience,
        });
        if (typeof payload !== 'object' || typeof payload.sub !== 'string' || typeof payload.sid !== 'string')
          return undefined;
        return { sub: payload.sub, sid: payload.sid, org: String(payload.org), email: String(payload.email) };
      } catch {
        return undefined;
      }
    },

    /** The koa-jwt options that verify exactly what signAccessToken signs. */
    verifyOptions() {
      return {
        secret: key as unknown as Buffer,
        algorithms: [algorithm],
        issuer: config.issuer,
        audience: config.audience,
      };
    },

    newRefreshToken(): { token: string; hash: Buffer } {
      const token = `amr_${randomBytes(32).toString('base64url')}`;
      return { token, hash: hashSecret(token) };
    },
  };
}
export type TokenService = ReturnType<typeof createTokenService>;

/** Secrets we hand out (refresh tokens, API keys) carry 256 random bits, so one SHA-256 is enough. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
