import type { Context } from 'koa';

/**
 * Where callers reach the API, for URLs the API hands out (a webhook's URL, an agent card's
 * endpoint): ASTROMESH_PUBLIC_URL when the admin set it, since behind a TLS-terminating ingress the
 * request itself says http; otherwise the scheme and host the request came with.
 */
export function publicOriginOf(ctx: Context, publicUrl: URL | undefined): string {
  return publicUrl ? publicUrl.href.replace(/\/+$/, '') : `${ctx.protocol}://${ctx.host}`;
}
