import type { MemberView, OrgRole, OrgView } from '../../../api/schemas/org-view.ts';
import type { ApiClient } from './api-client.ts';

export type { MemberView, OrgRole, OrgView };

/** The org itself and its members (seed 003, Organizations). */
export function orgApi(api: ApiClient, org: string) {
  const orgPath = `/orgs/${encodeURIComponent(org)}`;
  return {
    /** The caller's org with the caller's role in it: what decides which forms a page offers. */
    me: () => api.request<OrgView>('GET', '/orgs/me'),
    members: async () => (await api.request<{ members: MemberView[] }>('GET', `${orgPath}/members`)).members,
    invite: (input: { email: string; role: Exclude<OrgRole, 'owner'> }) =>
      api.request<MemberView>('POST', `${orgPath}/members/invite`, input),
  };
}
export type OrgApi = ReturnType<typeof orgApi>;
