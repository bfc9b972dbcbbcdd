import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { Forbidden, NotFound } from '../errors.ts';
import type { OrgAccess, Role } from '../http/principal.ts';
import type { CreateApiKey } from '../schemas/create-api-key.ts';
import { type ApiKeyRecord, deleteApiKey, insertApiKey, listApiKeys } from '../stores/api-keys-store.ts';
import { hashSecret } from './token-service.ts';

// 256 random bits: guessing is hopeless and one SHA-256 is a safe way to store it (token-service.ts).
const secretBytes = 32;
// `ask-` and the first 8 characters: enough to tell keys apart in a list, 48 of 256 bits.
const listedPrefixLength = 'ask-'.length + 8;
const roleRank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

/**
 * The org's API keys (seed 003, API Keys; DESIGN.md decision 8): the secret is shown once at
 * creation and only its hash is stored; revoking deletes the key, so it stops working at once.
 */
export function createApiKeyService(deps: { db: Database }) {
  const { db } = deps;
  return {
    list: (access: OrgAccess): Promise<ApiKeyRecord[]> => listApiKeys(db, access.orgId),

    async create(access: OrgAccess, input: CreateApiKey): Promise<{ key: ApiKeyRecord; secret: string }> {
      // Routes let only managers create keys; this keeps a key from ever outranking its creator.
      if (roleRank[input.role] > roleRank[access.role]) {
        throw new Forbidden(`a ${access.role} cannot create a key with the role ${input.role}`);
      }
      const secret = `ask-${randomBytes(secretBytes).toString('base64url')}`;
      const key = await insertApiKey(db, {
        id: `key_${randomBytes(12).toString('hex')}`,
        orgId: access.orgId,
        name: input.name,
        prefix: secret.slice(0, listedPrefixLength),
        secretHash: hashSecret(secret),
        role: input.role,
        createdBy: access.principal.kind === 'user' ? access.principal.userId : null,
      });
      return { key, secret };
    },

    async revoke(access: OrgAccess, keyId: string): Promise<void> {
      if (!(await deleteApiKey(db, { orgId: access.orgId, id: keyId }))) throw new NotFound(`API key '${keyId}'`);
    },
  };
}
export type ApiKeyService = ReturnType<typeof createApiKeyService>;
