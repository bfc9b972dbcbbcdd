import { z } from 'zod';
import { trimmedText } from './trimmed-text.ts';

/** POST /orgs/{slug}/keys. */
export const CreateApiKey = z.object({
  name: trimmedText(100),
  role: z
    .enum(['member', 'admin'])
    .default('member')
    .describe('member: run and read; admin: also manage the org, its keys and provider keys.'),
});
export type CreateApiKey = z.infer<typeof CreateApiKey>;
