import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from '../config/api-config.ts';

/** A secret encrypted with AES-256-GCM; `keyId` names the master key that sealed it. */
export interface SealedSecret {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

/** The master keys a process holds: `current` seals, any of them opens (DESIGN.md decision 8). */
export interface MasterKeyRing {
  current: MasterKey;
  previous: MasterKey[];
}

const algorithm = 'aes-256-gcm';
// 96-bit nonces are what GCM is specified for; a fresh random one per seal never repeats in practice.
const ivBytes = 12;
const authTagBytes = 16;

/** Raised when a sealed secret cannot be opened: unknown key id, wrong key, or tampered bytes. */
export class SecretUnreadable extends Error {
  override name = 'SecretUnreadable';
}

/**
 * Encrypts `plaintext` under `key`. `context` is bound as additional authenticated data, so a
 * sealed value copied to another row (another org, another provider) no longer opens.
 */
export function sealSecret(input: { plaintext: string; key: MasterKey; context: string }): SealedSecret {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv(algorithm, input.key.key, iv, { authTagLength: authTagBytes });
  cipher.setAAD(Buffer.from(input.context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(input.plaintext, 'utf8'), cipher.final()]);
  return { keyId: input.key.id, iv, ciphertext, authTag: cipher.getAuthTag() };
}

/** Decrypts a sealed secret with whichever configured master key sealed it. */
export function openSealedSecret(input: { sealed: SealedSecret; keys: MasterKeyRing; context: string }): string {
  const { sealed, keys } = input;
  const key = [keys.current, ...keys.previous].find((candidate) => candidate.id === sealed.keyId);
  if (!key) {
    throw new SecretUnreadable(
      `sealed with master key '${sealed.keyId}', which is not configured (ASTROMESH_PREVIOUS_MASTER_KEYS)`,
    );
  }
  try {
    const decipher = createDecipheriv(algorithm, key.key, sealed.iv, { authTagLength: authTagBytes });
    decipher.setAAD(Buffer.from(input.context, 'utf8'));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new SecretUnreadable(`does not open with master key '${sealed.keyId}' (wrong key or altered data)`, {
      cause: err,
    });
  }
}
