import { cookieSessionMode, sessionModeHeader } from '../../../api/schemas/session-cookie.ts';
import type { TokenResponse } from '../../../api/schemas/token-response.ts';
import { apiPrefix } from './api-client.ts';
import { ApiError, errorBodyOf } from './api-error.ts';

// Studio always asks for the cookie session: the refresh token stays in an HttpOnly cookie the
// page's scripts cannot read, and the access token only in memory (README, "Studio sessions").
const cookieSession = { [sessionModeHeader]: cookieSessionMode };

export async function devLogin(input: { email: string; name: string }): Promise<TokenResponse> {
  return postAuth('/auth/dev/login', { 'content-type': 'application/json' }, JSON.stringify(input));
}

/** A new access token from the session cookie: what keeps a reloaded page signed in. */
export async function refreshFromCookie(): Promise<TokenResponse> {
  return postAuth('/auth/refresh', { 'content-type': 'application/json' }, '{}');
}

/** Ends the session on the server and clears its cookie. */
export async function logout(accessToken: string): Promise<void> {
  await postAuth('/auth/logout', { authorization: `Bearer ${accessToken}` });
}

async function postAuth<T>(path: string, headers: Record<string, string>, body?: string): Promise<T> {
  const response = await fetch(`${apiPrefix}${path}`, {
    method: 'POST',
    headers: { ...cookieSession, ...headers },
    ...(body === undefined ? {} : { body }),
  });
  if (!response.ok) throw new ApiError(await errorBodyOf(response));
  return (response.status === 204 ? undefined : await response.json()) as T;
}
