import { createHmac } from 'node:crypto';
import { memorySchemaOf } from '../../../crds/org-runtime-names.ts';

export interface OrgMemoryCredentials {
  /** The org's PostgreSQL role, and the schema it owns: the same name. */
  role: string;
  password: string;
  /** The admin URL's server and database, with the org's role and password. */
  url: string;
}

/**
 * An org's own credentials on the conversation-memory database (DESIGN.md decision 9). The
 * password is derived from the master key (HMAC-SHA256 of `memory:<slug>`), so nothing more needs
 * storing and every API replica computes the same one.
 */
export function orgMemoryCredentialsOf(input: {
  adminUrl: string;
  masterKey: Buffer;
  orgSlug: string;
}): OrgMemoryCredentials {
  const role = memorySchemaOf(input.orgSlug);
  const password = createHmac('sha256', input.masterKey).update(`memory:${input.orgSlug}`).digest('base64url');
  const url = new URL(input.adminUrl);
  url.username = role;
  url.password = password;
  return { role, password, url: url.toString() };
}
