import { afterEach, describe, expect, it } from 'vitest';
import { aMemberOf } from '../support/a-member-of.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { jsonOf } from '../support/json-of.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

describe('orgs and their members', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const setup = () => startSignedInTestApi((stop) => cleanups.push(stop));

  const send = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body) });
  const invite = (email: string, role?: string) => send('POST', role ? { email, role } : { email });

  it('shows the caller their org with its plan and limits', async () => {
    const { api, owner } = await setup();

    const response = await api.request('/orgs/me', { token: owner.token });

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({
      slug: owner.org,
      display_name: 'Test User',
      plan: 'free',
      role: 'owner',
      limits: { max_agents: 5, requests_per_day: 1000, max_members: 3 },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it("shows an API key the org it belongs to, with the key's role", async () => {
    const { api, owner } = await setup();
    const key = await anApiKeyOf(api, { org: owner.org, token: owner.token, role: 'member' });

    const me = await jsonOf(await api.request('/orgs/me', { apiKey: key.secret }));

    expect(me).toMatchObject({ slug: owner.org, role: 'member' });
  });

  it('answers 401 to /orgs/me without credentials or with invalid ones', async () => {
    const { api } = await setup();

    const statuses = await Promise.all([
      api.request('/orgs/me'),
      api.request('/orgs/me', { token: 'not-a-jwt' }),
      api.request('/orgs/me', { apiKey: 'ask-not-a-key' }),
    ]);

    expect(statuses.map((response) => response.status)).toEqual([401, 401, 401]);
    expect(await jsonOf(statuses[0] as Response)).toMatchObject({ error: 'unauthorized', status: 401 });
  });

  it('renames the org for its owner', async () => {
    const { api, owner, as } = await setup();

    const response = await as('', send('PATCH', { display_name: '  Acme Support  ' }));
    const me = await jsonOf(await api.request('/orgs/me', { token: owner.token }));

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toMatchObject({ slug: owner.org, display_name: 'Acme Support' });
    expect(me.display_name).toBe('Acme Support');
  });

  it('leaves the org as it is for an empty PATCH', async () => {
    const { as } = await setup();

    const response = await as('', send('PATCH', {}));

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toMatchObject({ display_name: 'Test User' });
  });

  it('refuses an empty display name with 400 naming the field', async () => {
    const { as } = await setup();

    const response = await as('', send('PATCH', { display_name: '' }));

    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toMatchObject({ error: 'invalid_request', message: /^display_name: / });
  });

  it('lets an admin but not a member rename the org', async () => {
    const { api, owner } = await setup();
    const admin = await aMemberOf(api, { org: owner.org, ownerToken: owner.token, role: 'admin' });
    const member = await aMemberOf(api, { org: owner.org, ownerToken: owner.token, role: 'member' });
    const rename = (token: string) =>
      api.request(`/orgs/${owner.org}`, { ...send('PATCH', { display_name: 'X' }), token });

    const byAdmin = await rename(admin.token);
    const byMember = await rename(member.token);

    expect(byAdmin.status).toBe(200);
    expect(byMember.status).toBe(403);
    expect(await jsonOf(byMember)).toMatchObject({ error: 'forbidden', status: 403 });
  });

  it("refuses to rename another org with the same 403 as for an org that doesn't exist", async () => {
    const { api, owner } = await setup();
    const stranger = await api.login();

    const other = await api.request(`/orgs/${owner.org}`, {
      ...send('PATCH', { display_name: 'X' }),
      token: stranger.token,
    });
    const missing = await api.request('/orgs/no-such-org', {
      ...send('PATCH', { display_name: 'X' }),
      token: stranger.token,
    });

    expect(other.status).toBe(403);
    expect(missing.status).toBe(403);
    expect((await jsonOf(other)).message.replace(owner.org, '<org>')).toBe(
      (await jsonOf(missing)).message.replace('no-such-org', '<org>'),
    );
  });

  it('lists the owner as the first member', async () => {
    const { as } = await setup();

    const response = await as('/members');

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({
      members: [{ email: expect.stringMatching(/@example\.com$/), role: 'owner', joined_at: expect.any(String) }],
    });
  });

  it('adds an invited email as a member, creating the user, who then signs in to the org', async () => {
    const { api, owner, as } = await setup();

    const response = await as('/members/invite', invite('New.Member@Example.com'));
    const members = await jsonOf(await as('/members'));
    const signedIn = await api.login('new.member@example.com');

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({
      email: 'new.member@example.com',
      role: 'member',
      joined_at: expect.any(String),
    });
    expect(members.members.map((member: { role: string }) => member.role)).toEqual(['owner', 'member']);
    expect(signedIn.org).toBe(owner.org);
    expect(await jsonOf(await api.request('/orgs/me', { token: signedIn.token }))).toMatchObject({ role: 'member' });
  });

  it('invites an existing user, who keeps their own org', async () => {
    const { api, as } = await setup();
    const existing = await api.login('existing@example.com');

    const response = await as('/members/invite', invite('existing@example.com', 'admin'));
    const again = await api.login('existing@example.com');

    expect(await jsonOf(response)).toMatchObject({ email: 'existing@example.com', role: 'admin' });
    expect(again.org).toBe(existing.org);
  });

  it('answers 409 already_member for someone already in the org, the owner included', async () => {
    const { as } = await setup();
    await as('/members/invite', invite('twice@example.com'));
    const ownerEmail = (await jsonOf(await as('/members'))).members[0].email;

    const twice = await as('/members/invite', invite('twice@example.com'));
    const theOwner = await as('/members/invite', invite(ownerEmail));

    expect(twice.status).toBe(409);
    expect(await jsonOf(twice)).toMatchObject({ error: 'already_member', status: 409 });
    expect(theOwner.status).toBe(409);
  });

  it('stops at three members, owner included, with 409 member_limit_reached', async () => {
    const { as } = await setup();
    await as('/members/invite', invite('second@example.com'));
    await as('/members/invite', invite('third@example.com'));

    const fourth = await as('/members/invite', invite('fourth@example.com'));
    const members = await jsonOf(await as('/members'));

    expect(fourth.status).toBe(409);
    expect(await jsonOf(fourth)).toMatchObject({ error: 'member_limit_reached', status: 409 });
    expect(members.members).toHaveLength(3);
  });

  it('gives the two free seats to exactly two of five simultaneous invites', async () => {
    const { as } = await setup();

    const responses = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((name) => as('/members/invite', invite(`${name}@example.com`))),
    );
    const members = await jsonOf(await as('/members'));

    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 409, 409, 409]);
    expect(members.members).toHaveLength(3);
  });

  it('refuses a malformed email or the owner role with 400 naming the field', async () => {
    const { as } = await setup();

    const badEmail = await as('/members/invite', invite('not-an-email'));
    const ownerRole = await as('/members/invite', invite('boss@example.com', 'owner'));
    const noBody = await as('/members/invite', { method: 'POST' });

    expect(badEmail.status).toBe(400);
    expect(await jsonOf(badEmail)).toMatchObject({ message: /^email: / });
    expect(ownerRole.status).toBe(400);
    expect(await jsonOf(ownerRole)).toMatchObject({ message: /^role: / });
    expect(await jsonOf(noBody)).toMatchObject({ status: 400, message: /^email: / });
  });

  it('lets a member read the member list but not invite', async () => {
    const { api, owner } = await setup();
    const member = await aMemberOf(api, { org: owner.org, ownerToken: owner.token });

    const list = await api.request(`/orgs/${owner.org}/members`, { token: member.token });
    const inviting = await api.request(`/orgs/${owner.org}/members/invite`, {
      ...invite('friend@example.com'),
      token: member.token,
    });

    expect(list.status).toBe(200);
    expect((await jsonOf(list)).members).toHaveLength(2);
    expect(inviting.status).toBe(403);
  });

  it('lets an admin API key invite and a member API key only read', async () => {
    const { api, owner } = await setup();
    const adminKey = await anApiKeyOf(api, { org: owner.org, token: owner.token, role: 'admin' });
    const memberKey = await anApiKeyOf(api, { org: owner.org, token: owner.token, role: 'member' });
    const inviteWith = (apiKey: string, email: string) =>
      api.request(`/orgs/${owner.org}/members/invite`, { ...invite(email), apiKey });

    const byAdminKey = await inviteWith(adminKey.secret, 'one@example.com');
    const byMemberKey = await inviteWith(memberKey.secret, 'two@example.com');
    const readByMemberKey = await api.request(`/orgs/${owner.org}/members`, { apiKey: memberKey.secret });

    expect(byAdminKey.status).toBe(200);
    expect(byMemberKey.status).toBe(403);
    expect(readByMemberKey.status).toBe(200);
  });

  it('answers 401 on member routes without credentials', async () => {
    const { api, org } = await setup();

    const list = await api.request(`/orgs/${org}/members`);
    const inviting = await api.request(`/orgs/${org}/members/invite`, invite('x@example.com'));

    expect([list.status, inviting.status]).toEqual([401, 401]);
  });
});
