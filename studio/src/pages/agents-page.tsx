import { useCallback, useMemo, useState } from 'preact/hooks';
import { type AgentSummary, agentsApi } from '../api/agents-api.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { type Notice, NoticeArea } from '../components/notice-area.tsx';
import { StateBadge } from '../components/state-badge.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { useSession } from '../session/session-context.ts';
import { explainAgentError } from './explain-agent-error.ts';

type Action = 'deploy' | 'pause' | 'delete';

const doneText: Record<Action, (name: string) => string> = {
  deploy: (name) => `“${name}” is deployed and accepts runs.`,
  pause: (name) => `“${name}” is paused: it accepts no runs; its config is kept.`,
  delete: (name) => `“${name}” was deleted.`,
};

/** The org's agents with their lifecycle state, and the actions that state allows (seed 003's state machine). */
export function AgentsPage(props: { org: string }) {
  const session = useSession();
  const agents = useMemo(() => agentsApi(session.api, props.org), [session, props.org]);
  const [busy, setBusy] = useState<{ name: string; action: Action } | undefined>();
  const [notice, setNotice] = useState<Notice | undefined>();
  const [toDelete, setToDelete] = useState<string | undefined>();

  const listAgents = useCallback(() => agents.list(), [agents]);
  const { value: list, error: loadError, reload } = useLoaded(listAgents, explainLoadError);

  async function act(name: string, action: Action) {
    setBusy({ name, action });
    setNotice(undefined);
    let outcome: Notice;
    try {
      if (action === 'deploy') await agents.deploy(name);
      else if (action === 'pause') await agents.pause(name);
      else await agents.remove(name);
      outcome = { kind: 'done', text: doneText[action](name) };
    } catch (err) {
      outcome = { kind: 'error', text: explainAgentError(err, name, action) };
    }
    // The list first, then the words: what the notice says is what the list already shows.
    await reload();
    setBusy(undefined);
    setNotice(outcome);
  }

  return (
    <section aria-labelledby="agents-title">
      <div class="page-head">
        <h1 id="agents-title">Agents</h1>
        <div class="page-actions">
          <button type="button" onClick={() => void reload()}>
            Refresh
          </button>
          <a class="button-link primary-link" href="/studio/agents/new">
            New agent
          </a>
        </div>
      </div>
      <NoticeArea notice={notice} />
      <ErrorAlert text={loadError} />
      {list === undefined && !loadError && <p aria-live="polite">Loading agents…</p>}
      {list?.length === 0 && (
        <p class="empty">
          This org has no agents yet. <a href="/studio/agents/new">Build one in the wizard</a>, or create one with{' '}
          <code>POST /api/v1/orgs/{props.org}/agents</code> (the quickstart that <code>npm start</code> prints shows
          how).
        </p>
      )}
      {list && list.length > 0 && (
        <ul class="agent-list">
          {list.map((agent) => (
            <AgentCard
              key={agent.name}
              agent={agent}
              busyAction={busy?.name === agent.name ? busy.action : undefined}
              isAnyBusy={busy !== undefined}
              onAction={(action) => (action === 'delete' ? setToDelete(agent.name) : void act(agent.name, action))}
            />
          ))}
        </ul>
      )}
      {toDelete && (
        <ConfirmDialog
          title={`Delete “${toDelete}”?`}
          confirmLabel="Delete agent"
          onCancel={() => setToDelete(undefined)}
          onConfirm={() => {
            const name = toDelete;
            setToDelete(undefined);
            void act(name, 'delete');
          }}
        >
          <p>Its config is removed for good; a deployed agent stops serving first. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function AgentCard(props: {
  agent: AgentSummary;
  busyAction: Action | undefined;
  isAnyBusy: boolean;
  onAction: (action: Action) => void;
}) {
  const { agent, busyAction } = props;
  const label = agent.display_name || agent.name;
  // The lifecycle (seed 003): draft and paused agents deploy, deployed ones pause, any may be deleted.
  const canDeploy = agent.status !== 'deployed';
  const canPause = agent.status === 'deployed';
  return (
    <li class="agent-card" aria-labelledby={`agent-${agent.name}`} aria-busy={busyAction !== undefined}>
      <div class="agent-head">
        <h2 id={`agent-${agent.name}`}>
          <a href={`/studio/agents/${encodeURIComponent(agent.name)}/edit`}>{label}</a>
        </h2>
        <StateBadge status={agent.status} />
      </div>
      <dl class="agent-facts">
        <dt>Name</dt>
        <dd>
          <code>{agent.name}</code>
        </dd>
        <dt>Model</dt>
        <dd>
          <code>{agent.model}</code>
        </dd>
      </dl>
      <div class="agent-actions">
        <a
          class="button-link"
          href={`/studio/agents/${encodeURIComponent(agent.name)}/edit${canPause ? '?step=review' : ''}`}
          aria-label={`${canPause ? 'View' : 'Edit'} ${label}`}
        >
          {canPause ? 'View' : 'Edit'}
        </a>
        {canDeploy && (
          <button
            type="button"
            class="primary"
            disabled={props.isAnyBusy}
            aria-label={`Deploy ${label}`}
            onClick={() => props.onAction('deploy')}
          >
            {busyAction === 'deploy' ? 'Deploying…' : 'Deploy'}
          </button>
        )}
        {canPause && (
          <a
            class="button-link"
            href={`/studio/agents/${encodeURIComponent(agent.name)}/playground`}
            aria-label={`Open the playground of ${label}`}
          >
            Playground
          </a>
        )}
        <a
          class="button-link"
          href={`/studio/agents/${encodeURIComponent(agent.name)}/integrations`}
          aria-label={`Integrations of ${label}`}
        >
          Integrations
        </a>
        {canPause && (
          <button
            type="button"
            disabled={props.isAnyBusy}
            aria-label={`Pause ${label}`}
            onClick={() => props.onAction('pause')}
          >
            {busyAction === 'pause' ? 'Pausing…' : 'Pause'}
          </button>
        )}
        <button
          type="button"
          class="danger"
          disabled={props.isAnyBusy}
          aria-label={`Delete ${label}`}
          onClick={() => props.onAction('delete')}
        >
          {busyAction === 'delete' ? 'Deleting…' : 'Delete'}
        </button>
      </div>
    </li>
  );
}

function explainLoadError(err: unknown): string {
  return err instanceof Error ? `Could not load the agents: ${err.message}` : 'Could not load the agents.';
}
