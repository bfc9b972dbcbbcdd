import type { Context } from 'koa';
import {
  cookieSessionMode,
  refreshCookieName,
  refreshCookiePath,
  sessionModeHeader,
} from '../schemas/session-cookie.ts';

/** Whether the caller asked for the browser session: the refresh token as an HttpOnly cookie. */
export function wantsCookieSession(ctx: Context): boolean {
  return ctx.get(sessionModeHeader).trim().toLowerCase() === cookieSessionMode;
}

/** The refresh token the session cookie carries, if any. */
export function refreshCookieOf(ctx: Context): string | undefined {
  for (const part of ctx.get('cookie').split(';')) {
    const [name, ...value] = part.trim().split('=');
    // Taken as sent: refresh tokens are base64url, and a value that is not one is simply not recognised.
    if (name === refreshCookieName && value.length > 0) return value.join('=');
  }
  return undefined;
}

export function setRefreshCookie(ctx: Context, token: string, maxAgeSeconds: number): void {
  ctx.append('Set-Cookie', cookieOf(ctx, token, maxAgeSeconds));
}

/** Tells the browser to drop the session cookie (logout, or a refresh that ended the session). */
export function clearRefreshCookie(ctx: Context): void {
  ctx.append('Set-Cookie', cookieOf(ctx, '', 0));
}

function cookieOf(ctx: Context, value: string, maxAgeSeconds: number): string {
  const attributes = [
    `${refreshCookieName}=${value}`,
    `Path=${refreshCookiePath}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
  ];
  if (isHttps(ctx)) attributes.push('Secure');
  return attributes.join('; ');
}

// Behind a TLS-terminating Ingress the API itself is reached over http, so the proxy's
// X-Forwarded-Proto counts too. Trusting it here is safe: a caller who forges it only makes its
// own cookie Secure, which its browser then keeps off plain http.
export function isHttps(ctx: Context): boolean {
  if (ctx.protocol === 'https') return true;
  return ctx.get('x-forwarded-proto').split(',')[0]?.trim().toLowerCase() === 'https';
}
