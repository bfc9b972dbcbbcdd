import type { CloudProviderName } from '../../../api/schemas/cloud-providers.ts';
import type { ProviderKeyView } from '../../../api/schemas/provider-key-view.ts';
import type { ApiClient } from './api-client.ts';

export type { CloudProviderName, ProviderKeyView };

/** The org's provider keys (seed 003, BYOK): saved in clear, listed masked, never read back. */
export function providerKeysApi(api: ApiClient, org: string) {
  const providersPath = `/orgs/${encodeURIComponent(org)}/providers`;
  return {
    list: async () => (await api.request<{ providers: ProviderKeyView[] }>('GET', providersPath)).providers,
    save: (input: { provider: CloudProviderName; api_key?: string; base_url?: string }) =>
      api.request<{ provider: CloudProviderName; status: 'saved' }>('POST', providersPath, input),
    remove: (provider: CloudProviderName) =>
      api.request<void>('DELETE', `${providersPath}/${encodeURIComponent(provider)}`),
  };
}
export type ProviderKeysApi = ReturnType<typeof providerKeysApi>;
