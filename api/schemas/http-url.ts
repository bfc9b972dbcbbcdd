import { z } from 'zod';

// Imports zod only, so Studio (studio/src/api) can take its types without pulling in the API.

/**
 * An http(s) URL the Cloud stores and calls: a host name or IPv4 address, an optional port, and
 * no user name or password (a credential in a URL would be shown unmasked; `sendSecretAs` says
 * where it goes instead, e.g. `send the key as api_key`). Messages never include the submitted value.
 */
export function httpUrlWithoutCredentials(options: { maxLength: number; sendSecretAs: string }) {
  return (
    z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .max(options.maxLength)
      // States in the document what the URL check and the refinement below enforce (WHATWG's URL
      // parser refuses more odd hosts than JSON Schema's `uri`).
      .regex(
        /^[Hh][Tt][Tt][Pp][Ss]?:\/\/(?:(?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?(?:[/?#][\x21-\x7e]*)?$/,
        'must be an http:// or https:// URL: host name or IPv4 address, optional port, no user name or password',
      )
      .refine((url) => {
        // Unparsable URLs are already reported above.
        const parsed = URL.parse(url);
        return parsed === null || (parsed.username === '' && parsed.password === '');
      }, `must not contain a user name or password; ${options.sendSecretAs}`)
  );
}
