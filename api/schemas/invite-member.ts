import { z } from 'zod';

/** POST /orgs/{slug}/members/invite. An org has one owner, its creator, so owner cannot be granted. */
export const InviteMember = z.object({
  email: z.email().max(254),
  role: z.enum(['admin', 'member']).default('member'),
});
export type InviteMember = z.infer<typeof InviteMember>;
