import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** `whsec_` then 32 random bytes, base64url: the HMAC key is this whole string (its UTF-8 bytes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** What lists show of a secret: its marker and first four random characters. */
export const webhookSecretPrefixOf = (secret: string) => `${secret.slice(0, 'whsec_'.length + 4)}...`;

/** The hex HMAC-SHA256 of `<timestamp>.<raw body>` (README: "Webhooks"), as a sender computes it. */
export function signWebhookPayload(input: { secret: string; timestamp: string; body: Buffer }): string {
  return createHmac('sha256', input.secret).update(`${input.timestamp}.`, 'utf8').update(input.body).digest('hex');
}

const signaturePattern = /^v1=([0-9a-f]{64})$/;
// A header listing more than this is not a sender in the middle of a rotation.
const maxSignaturesPerHeader = 4;

/** The `v1=` signatures of an X-Astromesh-Signature header (comma-separated, as during a rotation). */
export function signaturesOf(header: string): string[] {
  const parts = header
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '');
  if (parts.length > maxSignaturesPerHeader) return [];
  return parts.flatMap((part) => signaturePattern.exec(part)?.[1] ?? []);
}

/**
 * The signature among `signatures` that one of `secrets` made over this timestamp and body, or
 * undefined. Every comparison is constant-time and all of them are made, so how long the check
 * takes says nothing about which secret or signature came close.
 */
export function matchingSignature(input: {
  secrets: readonly string[];
  timestamp: string;
  body: Buffer;
  signatures: readonly string[];
}): string | undefined {
  let match: string | undefined;
  for (const secret of input.secrets) {
    const expected = Buffer.from(signWebhookPayload({ secret, timestamp: input.timestamp, body: input.body }), 'hex');
    for (const signature of input.signatures) {
      const given = Buffer.from(signature, 'hex');
      if (given.length === expected.length && timingSafeEqual(given, expected)) match ??= signature;
    }
  }
  return match;
}
