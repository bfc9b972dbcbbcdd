import { useCallback, useState } from 'preact/hooks';
import { type McpServerView, mcpServersApi } from '../api/mcp-servers-api.ts';
import { ConfirmedButton } from '../components/confirmed-button.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { type Notice, NoticeArea } from '../components/notice-area.tsx';
import { StackedTable } from '../components/stacked-table.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { explainOrgError } from './explain-org-error.ts';
import { SaveMcpServerForm } from './save-mcp-server-form.tsx';
import { useOrgPage } from './use-org-page.ts';
import { useRowAction } from './use-row-action.ts';

const explainLoadError = (err: unknown) => explainOrgError(err, 'load the MCP servers');
const toolsStepOf = (agent: string) => `/studio/agents/${encodeURIComponent(agent)}/edit?step=tools`;

/**
 * The org's MCP tool servers (Streamable HTTP), whose tools its agents may call once chosen in the
 * wizard's step 3. Owners and admins add, replace and delete them; members see the list and why
 * they cannot change it. A token typed here goes to the API and leaves the page; only its masked
 * end is ever shown.
 */
export function McpServersPage(props: { org: string }) {
  const { api, profile, profileError, canManage } = useOrgPage(props.org, mcpServersApi);
  const [notice, setNotice] = useState<Notice | undefined>();
  const [replacing, setReplacing] = useState<McpServerView | undefined>();

  const listServers = useCallback(() => api.list(), [api]);
  const { value: servers, error: loadError, reload } = useLoaded(listServers, explainLoadError);
  const { busyRow, run } = useRowAction({ reload, onNotice: setNotice });

  async function saved(server: McpServerView, isReplacing: boolean) {
    setReplacing(undefined);
    await reload();
    setNotice({
      kind: 'done',
      text: `The server “${server.name}” is ${isReplacing ? 'replaced' : 'added'}; agents choosing it get its tools without a redeploy.`,
    });
  }

  // A replace is the whole server: its URL and tools go again, with token null to remove it.
  const removeToken = (server: McpServerView) =>
    run(server.name, `remove the token of “${server.name}”`, async () => {
      await api.save(server.name, { url: server.url, tools: server.tools, token: null });
      return `The token of “${server.name}” is removed; calls to it carry none.`;
    });

  const remove = (server: McpServerView) =>
    run(server.name, `delete the server “${server.name}”`, async () => {
      await api.remove(server.name);
      if (replacing?.name === server.name) setReplacing(undefined);
      return `The server “${server.name}” is deleted.`;
    });

  return (
    <section aria-labelledby="mcp-servers-title" class="org-page">
      <div class="page-head">
        <h1 id="mcp-servers-title">MCP servers</h1>
      </div>
      <p class="hint">
        Tool servers your agents can call over MCP (Streamable HTTP). An agent gets a server’s tools once it is chosen
        in the wizard’s step 3. Tokens are encrypted at rest and shown masked.
      </p>
      <NoticeArea notice={notice} />
      <ErrorAlert text={loadError ?? profileError} />
      {servers === undefined && !loadError && <p aria-live="polite">Loading MCP servers…</p>}
      {servers?.length === 0 && <p class="empty">No MCP server yet: agents of this org have built-in tools only.</p>}
      {servers && servers.length > 0 && (
        <div class="card">
          <StackedTable
            caption={`MCP servers of ${props.org}`}
            columns={['Name', 'URL', 'Token', 'Tools', 'Used by']}
            hasActions={canManage}
          >
            {servers.map((server) => (
              <tr key={server.name} aria-busy={busyRow === server.name}>
                <td data-label="Name">
                  <code>{server.name}</code>
                </td>
                <td data-label="URL">
                  <code>{server.url}</code>
                </td>
                <td data-label="Token">
                  {server.masked_token ? <code>{server.masked_token}</code> : <span class="hint">no token</span>}
                </td>
                <td data-label="Tools">
                  {server.tools ? server.tools.join(', ') : <span class="hint">all tools</span>}
                </td>
                <td data-label="Used by">
                  {server.agents.length === 0 ? (
                    <span class="hint">no agent</span>
                  ) : (
                    server.agents.map((agent, index) => (
                      <span key={agent}>
                        {index > 0 && ', '}
                        <a href={toolsStepOf(agent)}>{agent}</a>
                      </span>
                    ))
                  )}
                </td>
                {canManage && (
                  <td class="actions">
                    <span class="row-actions">
                      <button
                        type="button"
                        aria-label={`Replace the server ${server.name}`}
                        onClick={() => setReplacing(server)}
                      >
                        Replace
                      </button>
                      {server.masked_token && (
                        <button
                          type="button"
                          aria-label={`Remove token of ${server.name}`}
                          disabled={busyRow === server.name}
                          onClick={() => void removeToken(server)}
                        >
                          Remove token
                        </button>
                      )}
                      <ConfirmedButton
                        label="Delete"
                        accessibleName={`Delete the server ${server.name}`}
                        isDisabled={busyRow === server.name}
                        title={`Delete the server “${server.name}”?`}
                        confirmLabel="Delete server"
                        onConfirm={() => void remove(server)}
                      >
                        <p>
                          Its URL and token are gone for good. The API refuses while an agent still chooses it (step 3
                          of the wizard).
                        </p>
                      </ConfirmedButton>
                    </span>
                  </td>
                )}
              </tr>
            ))}
          </StackedTable>
        </div>
      )}
      {profile && !canManage && (
        <p class="hint">
          Only owners and admins add, replace and delete MCP servers, as a server’s token reaches a system outside
          Astromesh. Your role here: {profile.role}.
        </p>
      )}
      {canManage && (
        <SaveMcpServerForm
          key={replacing?.name ?? ''}
          api={api}
          replacing={replacing}
          onCancelReplace={() => setReplacing(undefined)}
          onNotice={setNotice}
          onSaved={saved}
        />
      )}
    </section>
  );
}
