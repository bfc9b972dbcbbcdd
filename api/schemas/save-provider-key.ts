import { z } from 'zod';
import { CloudProvider } from './wizard-config.ts';

// Messages here never include the submitted value: a 400 must not echo a key (DESIGN.md decision 8).

const ProviderApiKey = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(1000)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

const BaseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2000)
  .refine((url) => {
    // Unparsable URLs are already reported by the check above; credentials would be shown unmasked.
    const parsed = URL.parse(url);
    return parsed === null || (parsed.username === '' && parsed.password === '');
  }, 'must not contain a user name or password; send the key as api_key')
  .describe('Where the provider is reached: an Ollama host, an OpenAI-compatible gateway.');

/** POST /orgs/{slug}/providers: adds the provider's key or replaces it (base_url included). */
export const SaveProviderKey = z
  .object({
    provider: CloudProvider,
    api_key: ProviderApiKey.optional().describe('Required for every provider but ollama.'),
    base_url: BaseUrl.optional(),
  })
  .refine((input) => input.provider === 'ollama' || input.api_key !== undefined, {
    path: ['api_key'],
    message: 'required for every provider but ollama',
  });
export type SaveProviderKey = z.infer<typeof SaveProviderKey>;
