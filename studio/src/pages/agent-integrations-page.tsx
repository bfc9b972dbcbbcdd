import { useCallback, useMemo } from 'preact/hooks';
import { agentsApi } from '../api/agents-api.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { StateBadge } from '../components/state-badge.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { useSession } from '../session/session-context.ts';
import { BackgroundRunsSection } from './background-runs-section.tsx';
import { ConnectSection } from './connect-section.tsx';
import { explainOrgError } from './explain-org-error.ts';
import { SchedulesSection } from './schedules-section.tsx';
import { isManager, useOrgProfile } from './use-org-profile.ts';
import { WebhooksSection } from './webhooks-section.tsx';
import './integrations.css';

const explainLoadError = (err: unknown) => explainOrgError(err, 'load the agent');

/**
 * An agent as a service (issue 16): how programs call it (OpenAI, MCP, A2A, background runs), its
 * schedules and webhooks, and its recent background runs. What the caller's role may not do is
 * not offered, with the reason (the API enforces the same rules).
 */
export function AgentIntegrationsPage(props: { org: string; agent: string }) {
  const session = useSession();
  const agents = useMemo(() => agentsApi(session.api, props.org), [session, props.org]);
  const { profile, error: profileError } = useOrgProfile(props.org);
  const canManage = isManager(profile);

  const listAgents = useCallback(() => agents.list(), [agents]);
  const { value: list, error: loadError } = useLoaded(listAgents, explainLoadError);
  const agent = list?.find((each) => each.name === props.agent);
  const label = agent?.display_name || props.agent;

  return (
    <section aria-labelledby="integrations-title" class="org-page integrations">
      <p class="back">
        <a href="/studio/agents">← Agents</a>
      </p>
      <div class="page-head">
        <h1 id="integrations-title">Integrations: {label}</h1>
        {agent && <StateBadge status={agent.status} />}
      </div>
      <ErrorAlert text={loadError ?? profileError} />
      {list === undefined && !loadError && <p aria-live="polite">Loading the agent…</p>}
      {list && !agent && (
        <p class="empty">
          This org has no agent named <code>{props.agent}</code>. <a href="/studio/agents">Back to the agents</a>.
        </p>
      )}
      {agent && (
        <>
          <ConnectSection org={props.org} agent={agent.name} isDeployed={agent.status === 'deployed'} />
          <SchedulesSection org={props.org} agent={agent.name} canManage={canManage} role={profile?.role} />
          <WebhooksSection org={props.org} agent={agent.name} canManage={canManage} role={profile?.role} />
          <BackgroundRunsSection org={props.org} agent={agent.name} />
        </>
      )}
    </section>
  );
}
