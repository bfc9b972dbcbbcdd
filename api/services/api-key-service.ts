import { randomBytes } from 'node:crypto';
import { type Database, inTransaction } from '../db/database.ts';
import { Conflict, Forbidden, NotFound } from '../errors.ts';
import type { OrgAccess, Role } from '../http/principal.ts';
import type { CreateApiKey } from '../schemas/create-api-key.ts';
import {
  type ApiKeyRecord,
  countApiKeys,
  deleteApiKey,
  insertApiKey,
  listApiKeys,
  lockOrgApiKeys,
} from '../stores/api-keys-store.ts';
import { hashSecret } from './token-service.ts';

// 256 random bits: guessing is hopeless and one SHA-256 is a safe way to store it (token-service.ts).
const secretBytes = 32;
// `ask-` and the first 8 characters: enough to tell keys apart in a list, 48 of 256 bits.
const listedPrefixLength = 'ask-'.length + 8;
const roleRank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

/**
 * The org's API keys (seed 003, API Keys; DESIGN.md decision 8): the secret is shown once at
 * creation and only its hash is stored; revoking deletes the key, so it stops working at once. An
 * org holds at most `limits.maxApiKeys` keys: each one is a credential to audit and revoke, and a
 * script looping on create must not be able to mint them without end.
 */
export function createApiKeyService(deps: { db: Database; limits: { maxApiKeys: number } }) {
  const { db, limits } = deps;
  return {
    list: (access: OrgAccess): Promise<ApiKeyRecord[]> => listApiKeys(db, access.orgId),

    async create(access: OrgAccess, input: CreateApiKey): Promise<{ key: ApiKeyRecord; secret: string }> {
      // Routes let only managers create keys; this keeps a key from ever outranking its creator.
      if (roleRank[input.role] > roleRank[access.role]) {
        throw new Forbidden(`a ${access.role} cannot create a key with the role ${input.role}`);
      }
      const secret = `ask-${randomBytes(secretBytes).toString('base64url')}`;
      const key = await inTransaction(db, async (client) => {
        // Count and insert under the org's lock: parallel creations past the limit cannot all see room.
        await lockOrgApiKeys(client, access.orgId);
        if ((await countApiKeys(client, access.orgId)) >= limits.maxApiKeys) {
          throw new Conflict(
            'api_key_limit_reached',
            `an org may have at most ${limits.maxApiKeys} API keys; revoke one first`,
          );
        }
        return insertApiKey(client, {
          id: `key_${randomBytes(12).toString('hex')}`,
          orgId: access.orgId,
          name: input.name,
          prefix: secret.slice(0, listedPrefixLength),
          secretHash: hashSecret(secret),
          role: input.role,
          createdBy: access.principal.kind === 'user' ? access.principal.userId : null,
        });
      });
      return { key, secret };
    },

    async revoke(access: OrgAccess, keyId: string): Promise<void> {
      if (!(await deleteApiKey(db, { orgId: access.orgId, id: keyId }))) throw new NotFound(`API key '${keyId}'`);
    },
  };
}
export type ApiKeyService = ReturnType<typeof createApiKeyService>;
