import { Unauthenticated } from '../errors.ts';

// 401s that are also auth events of the audit log (issue 15): they answer exactly what a plain
// Unauthenticated answers (the caller learns nothing more), and carry who and which org for the
// entry that api/http/audit-requests.ts writes of the request.

/** A refresh token presented a second time: its session was revoked just now. */
export class RefreshTokenReused extends Unauthenticated {
  readonly userId: string;
  readonly orgId: string;
  readonly sessionId: string;

  constructor(session: { userId: string; orgId: string; sessionId: string }) {
    super('refresh token already used; the session has been revoked');
    this.userId = session.userId;
    this.orgId = session.orgId;
    this.sessionId = session.sessionId;
  }
}

/** A request with an API key that was revoked: the same 401 as an unknown key. */
export class RevokedApiKeyUsed extends Unauthenticated {
  readonly keyId: string;
  readonly orgId: string;

  constructor(key: { keyId: string; orgId: string }) {
    super('the API key is invalid or revoked');
    this.keyId = key.keyId;
    this.orgId = key.orgId;
  }
}
