import { randomBytes } from 'node:crypto';

export interface DevLogin {
  token: string;
  refreshToken: string;
  org: string;
}

/**
 * Dev login (`POST /api/v1/auth/dev/login`) against the Cloud API at `url`, in this process or a
 * spawned `api/main.ts`: a fresh user with an org of its own, unless `email` names one seen before.
 */
export async function devLogin(
  url: string,
  email = `user-${randomBytes(4).toString('hex')}@example.com`,
): Promise<DevLogin> {
  const response = await fetch(`${url}/api/v1/auth/dev/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Test User' }),
  });
  const body = (await response.json()) as { access_token: string; refresh_token: string; org_slug: string };
  if (!response.ok) throw new Error(`login failed: ${JSON.stringify(body)}`);
  return { token: body.access_token, refreshToken: body.refresh_token, org: body.org_slug };
}
