import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSealedSecret, SecretUnreadable, sealSecret } from './seal-secret.ts';

const aMasterKey = (id: string) => ({ id, key: randomBytes(32) });

describe('sealSecret and openSealedSecret', () => {
  it('opens what it sealed, and the ciphertext does not contain the secret', () => {
    const key = aMasterKey('k1');

    const sealed = sealSecret({ plaintext: 'sk-test-1234567890abcdef', key, context: 'org-a/openai' });
    const opened = openSealedSecret({ sealed, keys: { current: key, previous: [] }, context: 'org-a/openai' });

    expect(opened).toBe('sk-test-1234567890abcdef');
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext.includes(Buffer.from('sk-test'))).toBe(false);
  });

  it('uses a fresh IV for every seal, so equal secrets give different ciphertexts', () => {
    const key = aMasterKey('k1');

    const first = sealSecret({ plaintext: 'same', key, context: 'c' });
    const second = sealSecret({ plaintext: 'same', key, context: 'c' });

    expect(first.iv.equals(second.iv)).toBe(false);
    expect(first.ciphertext.equals(second.ciphertext)).toBe(false);
  });

  it('opens a secret sealed under a previous master key by its id', () => {
    const old = aMasterKey('k0');
    const sealed = sealSecret({ plaintext: 'gsk_abc', key: old, context: 'c' });

    const opened = openSealedSecret({ sealed, keys: { current: aMasterKey('k1'), previous: [old] }, context: 'c' });

    expect(opened).toBe('gsk_abc');
  });

  it('refuses a secret sealed under a master key that is not configured, naming the key id', () => {
    const sealed = sealSecret({ plaintext: 'x', key: aMasterKey('gone'), context: 'c' });

    const open = () => openSealedSecret({ sealed, keys: { current: aMasterKey('k1'), previous: [] }, context: 'c' });

    expect(open).toThrow(SecretUnreadable);
    expect(open).toThrow(/'gone'/);
  });

  it('refuses a sealed secret moved to another context (another org or provider)', () => {
    const key = aMasterKey('k1');
    const sealed = sealSecret({ plaintext: 'x', key, context: 'org-a/openai' });

    const open = () => openSealedSecret({ sealed, keys: { current: key, previous: [] }, context: 'org-b/openai' });

    expect(open).toThrow(SecretUnreadable);
  });

  it('refuses altered ciphertext', () => {
    const key = aMasterKey('k1');
    const sealed = sealSecret({ plaintext: 'secret', key, context: 'c' });
    const altered = { ...sealed, ciphertext: Buffer.from(sealed.ciphertext.map((byte) => byte ^ 1)) };

    const open = () => openSealedSecret({ sealed: altered, keys: { current: key, previous: [] }, context: 'c' });

    expect(open).toThrow(SecretUnreadable);
  });
});
