import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { publicOriginOf } from './public-origin-of.ts';

describe('publicOriginOf', () => {
  // What koa makes of a request an ingress forwarded after terminating TLS: plain http.
  const behindIngress = { protocol: 'http', host: 'api.internal:8080' } as Context;

  it('answers ASTROMESH_PUBLIC_URL when it is set, without a trailing slash', () => {
    expect(publicOriginOf(behindIngress, new URL('https://cloud.example.com/'))).toBe('https://cloud.example.com');
    expect(publicOriginOf(behindIngress, new URL('https://example.com/astromesh/'))).toBe(
      'https://example.com/astromesh',
    );
  });

  it('answers the scheme and host of the request without it', () => {
    expect(publicOriginOf(behindIngress, undefined)).toBe('http://api.internal:8080');
  });
});
