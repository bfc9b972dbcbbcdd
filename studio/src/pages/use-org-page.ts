import { useMemo } from 'preact/hooks';
import type { ApiClient } from '../api/api-client.ts';
import type { OrgView } from '../api/org-api.ts';
import { useSession } from '../session/session-context.ts';
import { isManager, useOrgProfile } from './use-org-profile.ts';

/**
 * What an org page starts from: its API area for `org` (`apiOf`, e.g. apiKeysApi, a module-level
 * function so the area is made once per org), and the caller's role there, which decides the
 * forms the page offers (the API enforces the same rules).
 */
export function useOrgPage<Area>(
  org: string,
  apiOf: (client: ApiClient, org: string) => Area,
): { api: Area; profile: OrgView | undefined; profileError: string | undefined; canManage: boolean } {
  const session = useSession();
  const api = useMemo(() => apiOf(session.api, org), [session, org, apiOf]);
  const { profile, error: profileError } = useOrgProfile(org);
  return { api, profile, profileError, canManage: isManager(profile) };
}
