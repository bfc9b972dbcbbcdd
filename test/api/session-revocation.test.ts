import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devLogin } from '../support/dev-login.ts';
import { eventually } from '../support/eventually.ts';
import { type InProcessApi, startApiInProcess } from '../support/start-api-in-process.ts';

// Issue 13: an API process takes a session's liveness and the caller's role in an org as read for
// a second (README: "Sign-in sessions"). A revoked session must still be refused: at once when it
// was revoked through this process, within that bound when another replica revoked it.
describe('a revoked sign-in session, with org access taken as read for a second', () => {
  let api: InProcessApi;

  beforeAll(async () => {
    api = await startApiInProcess();
  });
  afterAll(async () => {
    await api?.stop();
  });

  const listAgents = (login: { org: string; token: string }) =>
    fetch(`${api.url}/api/v1/orgs/${login.org}/agents`, { headers: { authorization: `Bearer ${login.token}` } });

  it('is refused at once after a logout through this process', async () => {
    const login = await devLogin(api.url);
    const before = await listAgents(login);

    const logout = await fetch(`${api.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${login.token}` },
    });
    const after = await listAgents(login);

    expect(before.status).toBe(200);
    expect(logout.status).toBe(204);
    expect(after.status).toBe(401);
  });

  it('is refused once revoked in the database, as by another replica', async () => {
    const login = await devLogin(api.url);
    expect((await listAgents(login)).status).toBe(200);

    const client = new pg.Client({ connectionString: api.database.url });
    await client.connect();
    try {
      const revoked = await client.query(
        "UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'test' WHERE id = $1",
        [sessionIdOf(login.token)],
      );
      expect(revoked.rowCount).toBe(1);
    } finally {
      await client.end();
    }

    await eventually(async () => expect((await listAgents(login)).status).toBe(401));
  });
});

/** The `sid` claim of an access token: the session it belongs to. */
function sessionIdOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sid: string };
  return payload.sid;
}
