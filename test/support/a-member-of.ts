import { randomBytes } from 'node:crypto';
import type { TestApi } from './start-test-api.ts';

/**
 * Invites a new user to `org` with `role` (as its owner, `ownerToken`) and signs them in. A user
 * signs in to the org they joined first, so the token acts in `org`.
 */
export async function aMemberOf(
  api: TestApi,
  options: { org: string; ownerToken: string; role?: 'admin' | 'member' },
): Promise<{ token: string; email: string }> {
  const email = `member-${randomBytes(4).toString('hex')}@example.com`;
  const response = await api.request(`/orgs/${options.org}/members/invite`, {
    method: 'POST',
    token: options.ownerToken,
    body: JSON.stringify({ email, role: options.role ?? 'member' }),
  });
  if (response.status !== 200) throw new Error(`invite failed: ${response.status} ${await response.text()}`);
  const { token, org } = await api.login(email);
  if (org !== options.org) throw new Error(`${email} signed in to '${org}', not '${options.org}'`);
  return { token, email };
}
