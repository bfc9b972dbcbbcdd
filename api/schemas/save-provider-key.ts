import { z } from 'zod';
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

const BaseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2000)
  // States in the document what the URL check and the refinement below enforce: http(s), a host
  // name or IPv4 address (WHATWG's URL parser refuses more odd hosts than JSON Schema's `uri`),
  // an optional port, and no user name or password.
  .regex(
    /^[Hh][Tt][Tt][Pp][Ss]?:\/\/(?:(?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?(?:[/?#][\x21-\x7e]*)?$/,
    'must be an http:// or https:// URL: host name or IPv4 address, optional port, no user name or password',
  )
  .refine((url) => {
    // Unparsable URLs are already reported by the check above; credentials would be shown unmasked.
    const parsed = URL.parse(url);
    return parsed === null || (parsed.username === '' && parsed.password === '');
  }, 'must not contain a user name or password; send the key as api_key')
  .describe('Where the provider is reached: an Ollama host, an OpenAI-compatible gateway.');

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
