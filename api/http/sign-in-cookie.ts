import type { Context } from 'koa';
import { refreshCookiePath } from '../schemas/session-cookie.ts';
import { isHttps } from './refresh-cookie.ts';

/** Ties a started sign-in to the browser that started it (the callback must bring it back). */
export const signInCookieName = 'astromesh_sign_in';

/**
 * SameSite=Lax, unlike the session cookie's Strict: the callback is a top-level navigation coming
 * from the provider's site, on which a Strict cookie is not sent. It opens nothing by itself.
 */
export function setSignInCookie(ctx: Context, value: string, maxAgeSeconds: number): void {
  ctx.append('Set-Cookie', cookieOf(ctx, value, maxAgeSeconds));
}

export function clearSignInCookie(ctx: Context): void {
  ctx.append('Set-Cookie', cookieOf(ctx, '', 0));
}

export function signInCookieOf(ctx: Context): string | undefined {
  for (const part of ctx.get('cookie').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === signInCookieName && value.length > 0) return value.join('=');
  }
  return undefined;
}

function cookieOf(ctx: Context, value: string, maxAgeSeconds: number): string {
  const attributes = [
    `${signInCookieName}=${value}`,
    `Path=${refreshCookiePath}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (isHttps(ctx)) attributes.push('Secure');
  return attributes.join('; ');
}
