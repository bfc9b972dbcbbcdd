import { z } from 'zod';
import { sessionModeHeader } from './session-cookie.ts';

// Imports zod only, so Studio (studio/src/api) can take its type without pulling in the API.

/** What dev login and refresh answer (seed 003), with the refresh token left out in a cookie session. */
export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.int().describe('Seconds until the access token expires.'),
  refresh_token: z
    .string()
    .optional()
    .describe(
      `Single use: POST /auth/refresh returns a new one. Absent when the request sent \`${sessionModeHeader}: cookie\` (it is in the cookie).`,
    ),
  org_slug: z.string(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;
