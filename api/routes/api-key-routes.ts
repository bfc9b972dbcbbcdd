import { z } from 'zod';
import { orgRoute } from '../http/api-route.ts';
import { managers } from '../http/principal.ts';
import { ApiKeyView, CreatedApiKey } from '../schemas/api-key-view.ts';
import { CreateApiKey } from '../schemas/create-api-key.ts';
import type { ApiKeyService } from '../services/api-key-service.ts';
import type { ApiKeyRecord } from '../stores/api-keys-store.ts';

const OrgParams = z.object({ slug: z.string() });
const KeyParams = z.object({ slug: z.string(), key_id: z.string().max(64) });

const viewOf = (key: ApiKeyRecord): ApiKeyView => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  role: key.role,
  created_at: key.createdAt.toISOString(),
  last_used_at: key.lastUsedAt ? key.lastUsedAt.toISOString() : null,
});

// Keys are part of managing the org: members neither see nor change them.
export function apiKeyRoutes(apiKeys: ApiKeyService) {
  return [
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/keys',
      summary: 'List the API keys of the org (never their secrets)',
      tag: 'API Keys',
      roles: managers,
      params: OrgParams,
      response: z.object({ keys: z.array(ApiKeyView) }),
      handle: async ({ access }) => ({ keys: (await apiKeys.list(access)).map(viewOf) }),
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/keys',
      summary: 'Create an API key; the secret is in this response only',
      tag: 'API Keys',
      roles: managers,
      params: OrgParams,
      body: CreateApiKey,
      response: CreatedApiKey,
      status: 201,
      errors: [409],
      handle: async ({ access, body }) => {
        const { key, secret } = await apiKeys.create(access, body);
        const { last_used_at: _neverUsed, ...view } = viewOf(key);
        return { ...view, secret };
      },
    }),
    orgRoute({
      method: 'delete',
      path: '/orgs/{slug}/keys/{key_id}',
      summary: 'Revoke an API key; requests with it fail at once',
      tag: 'API Keys',
      roles: managers,
      params: KeyParams,
      status: 204,
      errors: [404],
      handle: async ({ access, params }) => {
        await apiKeys.revoke(access, params.key_id);
      },
    }),
  ];
}
