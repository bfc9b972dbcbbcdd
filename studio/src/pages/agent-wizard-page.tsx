import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error.ts';
import { wizardApi } from '../api/wizard-api.ts';
import { useSession } from '../session/session-context.ts';
import { AgentWizard, type WizardData } from './wizard/agent-wizard.tsx';
import './wizard/agent-wizard.css';

/**
 * The 5-step agent wizard (issue 14) at /studio/agents/new and /studio/agents/:name/edit: loads
 * what it offers (GET /catalogue), the org's provider keys and MCP servers and the agent, then hands over.
 */
export function AgentWizardPage(props: { org: string; name: string | undefined; step: string | undefined }) {
  const session = useSession();
  const api = useMemo(() => wizardApi(session.api, props.org), [session, props.org]);
  const [data, setData] = useState<WizardData | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();

  useEffect(() => {
    let isCurrent = true;
    Promise.all([
      api.catalogue(),
      api.providerKeys(),
      api.mcpServers(),
      props.name === undefined ? undefined : api.get(props.name),
    ])
      .then(
        ([catalogue, providerKeys, mcpServers, agent]) =>
          isCurrent && setData({ catalogue, providerKeys, mcpServers, agent }),
      )
      .catch((err: unknown) => isCurrent && setLoadError(explainLoadError(err, props.name)));
    return () => {
      isCurrent = false;
    };
  }, [api, props.name]);

  if (loadError) {
    return (
      <section aria-labelledby="wizard-title">
        <h1 id="wizard-title">{props.name ?? 'New agent'}</h1>
        <p class="error" role="alert">
          {loadError}
        </p>
        <p>
          <a href="/studio/agents">Back to the agents</a>
        </p>
      </section>
    );
  }
  if (!data) return <p aria-live="polite">Loading the agent wizard…</p>;
  return <AgentWizard api={api} data={data} initialStep={props.step} />;
}

function explainLoadError(err: unknown, name: string | undefined): string {
  if (err instanceof ApiError && err.code === 'not_found' && name)
    return `There is no agent “${name}” in this org: it may have been deleted.`;
  return `Could not load the wizard: ${err instanceof Error ? err.message : 'the API could not be reached'}. Reload to try again.`;
}
