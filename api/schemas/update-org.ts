import { z } from 'zod';

/** PATCH /orgs/{slug}: every field optional; the slug and plan are not editable. */
export const UpdateOrg = z.object({
  display_name: z.string().trim().min(1).max(128).optional(),
});
export type UpdateOrg = z.infer<typeof UpdateOrg>;
