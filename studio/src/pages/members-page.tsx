import { useCallback, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.ts';
import { type OrgRole, orgApi } from '../api/org-api.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { type Notice, NoticeArea } from '../components/notice-area.tsx';
import { StackedTable } from '../components/stacked-table.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { explainOrgError } from './explain-org-error.ts';
import { formatDay } from './format-day.ts';
import { useOrgPage } from './use-org-page.ts';

type InvitedRole = Exclude<OrgRole, 'owner'>;

const roleNames: Record<OrgRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };
const explainLoadError = (err: unknown) => explainOrgError(err, 'load the members');

/**
 * The org's members and their roles, and (for owners and admins) the invite form. Roles are shown
 * read-only: seed 003's API has no route to change a role or remove a member.
 */
export function MembersPage(props: { org: string }) {
  const { api, profile, profileError, canManage } = useOrgPage(props.org, orgApi);
  const [notice, setNotice] = useState<Notice | undefined>();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<InvitedRole>('member');
  const [isInviting, setInviting] = useState(false);
  const [isEmailWrong, setEmailWrong] = useState(false);

  const listMembers = useCallback(() => api.members(), [api]);
  const { value: members, error: loadError, reload } = useLoaded(listMembers, explainLoadError);

  async function invite(event: Event) {
    event.preventDefault();
    const invited = email.trim();
    setInviting(true);
    setNotice(undefined);
    setEmailWrong(false);
    try {
      await api.invite({ email: invited, role });
      setEmail('');
      await reload();
      setNotice({
        kind: 'done',
        text: `${invited} is now a member of ${props.org}, as ${roleNames[role].toLowerCase()}.`,
      });
    } catch (err) {
      await reload();
      setEmailWrong(err instanceof ApiError && err.field === 'email');
      setNotice({ kind: 'error', text: explainOrgError(err, `invite ${invited}`) });
    } finally {
      setInviting(false);
    }
  }

  const maxMembers = profile?.limits.max_members;
  const isFull = members !== undefined && maxMembers !== undefined && members.length >= maxMembers;

  return (
    <section aria-labelledby="members-title" class="org-page">
      <div class="page-head">
        <h1 id="members-title">Members</h1>
        {members && maxMembers !== undefined && (
          <p class="count" id="member-count">
            {members.length} of {maxMembers} members
          </p>
        )}
      </div>
      <NoticeArea notice={notice} />
      <ErrorAlert text={loadError ?? profileError} />
      {members === undefined && !loadError && <p aria-live="polite">Loading members…</p>}
      {members && (
        <div class="card">
          <StackedTable caption={`Members of ${props.org}`} columns={['Email', 'Role', 'Joined']} hasActions={false}>
            {members.map((member) => (
              <tr key={member.email}>
                <td data-label="Email">
                  <span class="cell-text">{member.email}</span>
                </td>
                <td data-label="Role">
                  <span class={`badge role-${member.role}`}>{roleNames[member.role]}</span>
                </td>
                <td data-label="Joined">{formatDay(member.joined_at)}</td>
              </tr>
            ))}
          </StackedTable>
          <p class="hint">
            Roles are set when a member is invited. Changing a role or removing a member is not offered: the API has no
            route for it yet.
          </p>
        </div>
      )}
      {profile && !canManage && (
        <p class="hint">Only owners and admins invite members. Your role here: {roleNames[profile.role]}.</p>
      )}
      {canManage && (
        <form class="card org-form" onSubmit={invite} aria-labelledby="invite-title">
          <h2 id="invite-title">Invite a member</h2>
          <p class="hint" id="invite-hint">
            {isFull
              ? `The org is full: ${members?.length} of ${maxMembers} members, the owner included. The free plan allows no more.`
              : 'The person becomes a member at once and signs in with this email.'}
          </p>
          <div class="fields">
            <div class="field">
              <label for="invite-email">Email</label>
              <input
                id="invite-email"
                type="email"
                required
                autocomplete="off"
                maxLength={254}
                value={email}
                aria-invalid={isEmailWrong || undefined}
                aria-describedby="invite-hint"
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="invite-role">Role</label>
              <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as InvitedRole)}>
                <option value="member">Member — runs agents, reads the org</option>
                <option value="admin">Admin — also manages agents, members and keys</option>
              </select>
            </div>
          </div>
          <button type="submit" class="primary" disabled={isInviting}>
            {isInviting ? 'Inviting…' : 'Invite'}
          </button>
        </form>
      )}
    </section>
  );
}
