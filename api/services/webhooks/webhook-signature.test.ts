import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  matchingSignature,
  newWebhookSecret,
  signaturesOf,
  signWebhookPayload,
  webhookSecretPrefixOf,
} from './webhook-signature.ts';

const hmacOf = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');

describe('webhook signatures', () => {
  it('signs "<timestamp>.<raw body>" with the whole secret as the HMAC-SHA256 key', () => {
    const body = Buffer.from('{"a":"é"}');

    const signature = signWebhookPayload({ secret: 'whsec_abc', timestamp: '1700000000', body });

    expect(signature).toBe(hmacOf('whsec_abc', '1700000000.{"a":"é"}'));
  });

  it('reads every v1= signature of a header, in any case, and nothing else', () => {
    const a = 'a'.repeat(64);
    const b = 'B'.repeat(64);

    expect(signaturesOf(`v1=${a}, V1=${b}`)).toEqual([a, b.toLowerCase()]);
    expect(signaturesOf(`v0=${a},v1=${a.slice(1)},${a}`)).toEqual([]);
    expect(signaturesOf('')).toEqual([]);
    expect(signaturesOf(Array(5).fill(`v1=${a}`).join(','))).toEqual([]);
  });

  it('finds the signature made by the current or the previous secret, and none for another body', () => {
    const body = Buffer.from('{"x":1}');
    const byPrevious = signWebhookPayload({ secret: 'whsec_old', timestamp: '17', body });
    const secrets = ['whsec_new', 'whsec_old'];

    expect(matchingSignature({ secrets, timestamp: '17', body, signatures: ['0'.repeat(64), byPrevious] })).toBe(
      byPrevious,
    );
    expect(matchingSignature({ secrets, timestamp: '18', body, signatures: [byPrevious] })).toBeUndefined();
    expect(
      matchingSignature({ secrets, timestamp: '17', body: Buffer.from('{"x":2}'), signatures: [byPrevious] }),
    ).toBeUndefined();
    expect(matchingSignature({ secrets: [], timestamp: '17', body, signatures: [byPrevious] })).toBeUndefined();
  });

  it('makes distinct secrets whose listed prefix shows four random characters', () => {
    const secret = newWebhookSecret();

    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(secret);
    expect(webhookSecretPrefixOf(secret)).toBe(`${secret.slice(0, 10)}...`);
  });
});
