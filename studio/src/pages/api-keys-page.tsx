import { useCallback, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.ts';
import { type ApiKeyRole, type ApiKeyView, apiKeysApi } from '../api/api-keys-api.ts';
import { ConfirmedButton } from '../components/confirmed-button.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { type Notice, NoticeArea } from '../components/notice-area.tsx';
import { StackedTable } from '../components/stacked-table.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { explainOrgError } from './explain-org-error.ts';
import { formatDay } from './format-day.ts';
import { SecretOnceDialog } from './secret-once-dialog.tsx';
import { useOrgPage } from './use-org-page.ts';

const roleNames: Record<ApiKeyRole, string> = { member: 'Member', admin: 'Admin' };
const explainLoadError = (err: unknown) => explainOrgError(err, 'load the API keys');

/**
 * The org's API keys: create (the secret shown once), list (prefix, never the secret), revoke.
 * Keys are part of managing the org, so members see why the page is empty instead of a 403.
 */
export function ApiKeysPage(props: { org: string }) {
  const { api, profile, profileError, canManage } = useOrgPage(props.org, apiKeysApi);
  const [notice, setNotice] = useState<Notice | undefined>();
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiKeyRole>('member');
  const [isCreating, setCreating] = useState(false);
  const [isNameWrong, setNameWrong] = useState(false);
  // The one place a secret is held, and only while its dialog is open.
  const [created, setCreated] = useState<{ name: string; secret: string } | undefined>();

  const listKeys = useCallback(() => api.list(), [api]);
  const { value: keys, error: loadError, reload } = useLoaded(listKeys, explainLoadError, { isEnabled: canManage });

  async function create(event: Event) {
    event.preventDefault();
    setCreating(true);
    setNotice(undefined);
    setNameWrong(false);
    try {
      const key = await api.create({ name, role });
      setName('');
      await reload();
      setCreated({ name: key.name, secret: key.secret });
    } catch (err) {
      setNameWrong(err instanceof ApiError && err.field === 'name');
      setNotice({ kind: 'error', text: explainOrgError(err, `create the key “${name.trim()}”`) });
    } finally {
      setCreating(false);
    }
  }

  async function revoke(key: ApiKeyView) {
    setNotice(undefined);
    try {
      await api.revoke(key.id);
      await reload();
      setNotice({ kind: 'done', text: `The key “${key.name}” is revoked: requests with it now answer 401.` });
    } catch (err) {
      await reload();
      setNotice({ kind: 'error', text: explainOrgError(err, `revoke the key “${key.name}”`) });
    }
  }

  return (
    <section aria-labelledby="keys-title" class="org-page">
      <div class="page-head">
        <h1 id="keys-title">API keys</h1>
      </div>
      <p class="hint">
        A key lets a program call this org's agents: send it as the <code>X-API-Key</code> header to{' '}
        <code>POST /api/v1/orgs/{props.org}/agents/&lt;name&gt;/run</code>.
      </p>
      <NoticeArea notice={notice} />
      <ErrorAlert text={loadError ?? profileError} />
      {profile && !canManage && (
        <p class="hint">Only owners and admins see and manage API keys. Your role here: {profile.role}.</p>
      )}
      {canManage && (
        <form class="card org-form" onSubmit={create} aria-labelledby="create-key-title">
          <h2 id="create-key-title">Create an API key</h2>
          <div class="fields">
            <div class="field">
              <label for="key-name">Name</label>
              <input
                id="key-name"
                type="text"
                required
                maxLength={100}
                autocomplete="off"
                placeholder="e.g. Production"
                value={name}
                aria-invalid={isNameWrong || undefined}
                onInput={(e) => setName(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="key-role">Role</label>
              <select id="key-role" value={role} onChange={(e) => setRole(e.currentTarget.value as ApiKeyRole)}>
                <option value="member">Member — runs agents and reads</option>
                <option value="admin">Admin — also manages the org and its keys</option>
              </select>
            </div>
          </div>
          <button type="submit" class="primary" disabled={isCreating}>
            {isCreating ? 'Creating…' : 'Create key'}
          </button>
        </form>
      )}
      {canManage && keys === undefined && !loadError && <p aria-live="polite">Loading API keys…</p>}
      {keys?.length === 0 && <p class="empty">This org has no API keys.</p>}
      {keys && keys.length > 0 && (
        <div class="card">
          <StackedTable
            caption={`API keys of ${props.org}`}
            columns={['Name', 'Key', 'Role', 'Created', 'Last used']}
            hasActions={true}
          >
            {keys.map((key) => (
              <tr key={key.id}>
                <td data-label="Name">
                  <span class="cell-text">{key.name}</span>
                </td>
                <td data-label="Key">
                  <code>{key.prefix}…</code>
                </td>
                <td data-label="Role">{roleNames[key.role]}</td>
                <td data-label="Created">{formatDay(key.created_at)}</td>
                <td data-label="Last used">{key.last_used_at ? formatDay(key.last_used_at) : 'Never'}</td>
                <td class="actions">
                  <ConfirmedButton
                    label="Revoke"
                    accessibleName={`Revoke ${key.name}`}
                    title={`Revoke “${key.name}”?`}
                    confirmLabel="Revoke key"
                    onConfirm={() => void revoke(key)}
                  >
                    <p>
                      Programs sending <code>{key.prefix}…</code> are refused at once (401). This cannot be undone.
                    </p>
                  </ConfirmedButton>
                </td>
              </tr>
            ))}
          </StackedTable>
        </div>
      )}
      {created && (
        <SecretOnceDialog
          keyName={created.name}
          secret={created.secret}
          onClose={() => {
            setCreated(undefined);
            // The key may have been tried while the dialog was open: the list shows when it was last used.
            void reload();
          }}
        />
      )}
    </section>
  );
}
