import { z } from 'zod';
import { httpUrlWithoutCredentials } from './http-url.ts';
import { CloudProvider, cloudProviders } from './wizard-config.ts';

// Messages here never include the submitted value: a 400 must not echo a key (DESIGN.md decision 8).

const apiKeyRequired = 'required for every provider but ollama';

const ProviderApiKey = z
  .string({ error: (issue) => (issue.input === undefined ? apiKeyRequired : 'must be a string') })
  .max(1000)
  // Whitespace around a pasted key is trimmed; inside it, it is refused. The bounds hold for what
  // is sent, so the document says exactly what is accepted.
  .regex(/^[\t\n\r ]*[\x21-\x7e]+[\t\n\r ]*$/, 'must be printable ASCII without spaces')
  .trim();

const BaseUrl = httpUrlWithoutCredentials({ maxLength: 2000, sendSecretAs: 'send the key as api_key' }).describe(
  'Where the provider is reached: an Ollama host, an OpenAI-compatible gateway.',
);

/**
 * POST /orgs/{slug}/providers: adds the provider's key or replaces it (base_url included). A
 * union on `provider` rather than a refinement, so the OpenAPI document says it too: api_key is
 * required for every provider but ollama, which runs without one.
 */
export const SaveProviderKey = z.discriminatedUnion(
  'provider',
  [
    z.object({
      provider: CloudProvider.exclude(['ollama']),
      api_key: ProviderApiKey,
      base_url: BaseUrl.optional(),
    }),
    z.object({
      provider: z.literal('ollama'),
      api_key: ProviderApiKey.optional().describe('Only when the Ollama host is behind a gateway that wants one.'),
      base_url: BaseUrl.optional(),
    }),
  ],
  { error: `must be one of ${cloudProviders.join(', ')}` },
);
export type SaveProviderKey = z.infer<typeof SaveProviderKey>;
