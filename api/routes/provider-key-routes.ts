import { z } from 'zod';
import { orgRoute } from '../http/api-route.ts';
import { managers } from '../http/principal.ts';
import { ProviderKeyView } from '../schemas/provider-key-view.ts';
import { SaveProviderKey } from '../schemas/save-provider-key.ts';
import { CloudProvider } from '../schemas/wizard-config.ts';
import type { ProviderKeyService } from '../services/provider-key-service.ts';
import type { ProviderKeyRecord } from '../stores/provider-keys-store.ts';

const OrgParams = z.object({ slug: z.string() });
const ProviderParams = z.object({ slug: z.string(), provider: CloudProvider });

const viewOf = (key: ProviderKeyRecord): ProviderKeyView => ({
  provider: key.provider,
  masked_key: key.maskedKey,
  base_url: key.baseUrl,
  added_at: key.addedAt.toISOString(),
  updated_at: key.updatedAt.toISOString(),
});

export function providerKeyRoutes(providerKeys: ProviderKeyService) {
  return [
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/providers',
      summary: "List the org's provider keys, masked",
      tag: 'Provider Keys',
      params: OrgParams,
      response: z.object({ providers: z.array(ProviderKeyView) }),
      handle: async ({ access }) => ({ providers: (await providerKeys.list(access)).map(viewOf) }),
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/providers',
      summary: "Add or replace a provider key; the org's runtime gets it without a redeploy",
      tag: 'Provider Keys',
      roles: managers,
      params: OrgParams,
      body: SaveProviderKey,
      response: z.object({ provider: CloudProvider, status: z.literal('saved') }),
      errors: [502, 504],
      handle: async ({ access, body }) => {
        await providerKeys.save(access, body);
        return { provider: body.provider, status: 'saved' as const };
      },
    }),
    orgRoute({
      method: 'delete',
      path: '/orgs/{slug}/providers/{provider}',
      summary: "Remove a provider key; the org's runtime loses it without a redeploy",
      tag: 'Provider Keys',
      roles: managers,
      params: ProviderParams,
      status: 204,
      errors: [404, 502, 504],
      handle: async ({ access, params }) => {
        await providerKeys.remove(access, params.provider);
      },
    }),
  ];
}
