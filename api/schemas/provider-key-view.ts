import { z } from 'zod';
import { cloudProviders } from './cloud-providers.ts';

// Imports zod only, so Studio (studio/src/api) can take its types without pulling in the API.

/** A provider key as GET /orgs/{slug}/providers lists it: masked, never in clear (DESIGN.md decision 8). */
export const ProviderKeyView = z.object({
  provider: z.enum(cloudProviders),
  masked_key: z.string().nullable().describe('At most the last 4 characters, e.g. sk-...wxyz; null when keyless.'),
  base_url: z.string().nullable(),
  added_at: z.string(),
  updated_at: z.string(),
});
export type ProviderKeyView = z.infer<typeof ProviderKeyView>;
