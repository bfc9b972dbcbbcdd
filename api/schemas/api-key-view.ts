import { z } from 'zod';

// Imports zod only, so Studio (studio/src/api) can take its types without pulling in the API.

/** An API key as GET /orgs/{slug}/keys lists it: never its secret. */
export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the secret, to tell keys apart.'),
  role: z.enum(['admin', 'member']),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
});
export type ApiKeyView = z.infer<typeof ApiKeyView>;

/** What POST /orgs/{slug}/keys answers: the key and, this once, its secret. */
export const CreatedApiKey = ApiKeyView.omit({ last_used_at: true }).extend({
  secret: z.string().describe('Send as X-API-Key. Shown only here, once; only its hash is stored.'),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;
