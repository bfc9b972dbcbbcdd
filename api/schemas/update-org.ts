import { z } from 'zod';
import { trimmedText } from './trimmed-text.ts';

/** PATCH /orgs/{slug}: every field optional; the slug and plan are not editable. */
export const UpdateOrg = z.object({
  display_name: trimmedText(128).optional(),
});
export type UpdateOrg = z.infer<typeof UpdateOrg>;
