import { useEffect, useMemo, useState } from 'preact/hooks';
import { type OrgView, orgApi } from '../api/org-api.ts';
import { useSession } from '../session/session-context.ts';
import { explainOrgError } from './explain-org-error.ts';

/**
 * The caller's org as GET /orgs/me tells it: the caller's role (which decides the forms a page
 * offers; the API enforces the same rules) and the plan's limits.
 */
export function useOrgProfile(org: string): { profile: OrgView | undefined; error: string | undefined } {
  const session = useSession();
  const api = useMemo(() => orgApi(session.api, org), [session, org]);
  const [profile, setProfile] = useState<OrgView | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let isCurrent = true;
    api.me().then(
      (me) => isCurrent && setProfile(me),
      (err: unknown) => isCurrent && setError(explainOrgError(err, 'load your role in the org')),
    );
    return () => {
      isCurrent = false;
    };
  }, [api]);
  return { profile, error };
}

/** Owners and admins manage the org: invite, keys, provider keys (api/http/principal.ts `managers`). */
export const isManager = (profile: OrgView | undefined) => profile?.role === 'owner' || profile?.role === 'admin';
