import type { ApiKeyView, CreatedApiKey } from '../../../api/schemas/api-key-view.ts';
import type { CreateApiKey } from '../../../api/schemas/create-api-key.ts';
import type { ApiClient } from './api-client.ts';

export type { ApiKeyView, CreatedApiKey };
export type ApiKeyRole = CreateApiKey['role'];

/** The org's API keys (seed 003, API Keys): listed without secrets; a secret comes once, on create. */
export function apiKeysApi(api: ApiClient, org: string) {
  const keysPath = `/orgs/${encodeURIComponent(org)}/keys`;
  return {
    list: async () => (await api.request<{ keys: ApiKeyView[] }>('GET', keysPath)).keys,
    create: (input: { name: string; role: ApiKeyRole }) => api.request<CreatedApiKey>('POST', keysPath, input),
    revoke: (id: string) => api.request<void>('DELETE', `${keysPath}/${encodeURIComponent(id)}`),
  };
}
export type ApiKeysApi = ReturnType<typeof apiKeysApi>;
