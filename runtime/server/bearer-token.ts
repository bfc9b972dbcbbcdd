import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RuntimeError } from '../runtime-error.ts';

export class Unauthorized extends RuntimeError {
  constructor() {
    super('unauthorized', 401, 'a valid bearer token is required');
  }
}

/**
 * Checks the runtime token (the per-org token the Cloud API sends, DESIGN.md decision 9).
 * `expectedToken` is read on every call so a rotated token file applies at once; undefined means
 * the runtime runs without a token (local development).
 */
export function createTokenCheck(expectedToken: () => string | undefined) {
  return (presented: string | undefined): boolean => {
    const expected = expectedToken();
    if (expected === undefined) return true;
    if (presented === undefined) return false;
    // Hash both sides so the comparison takes the same time whatever their lengths.
    const digest = (value: string) => createHash('sha256').update(value).digest();
    return timingSafeEqual(digest(presented), digest(expected));
  };
}
export type TokenCheck = ReturnType<typeof createTokenCheck>;

export function bearerTokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}
