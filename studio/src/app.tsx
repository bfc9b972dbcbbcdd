import { useEffect } from 'preact/hooks';
import lazy from 'preact-iso/lazy';
import { LocationProvider, Route, Router, useLocation, useRoute } from 'preact-iso/router';
import { AppShell } from './components/app-shell.tsx';
import { AgentsPage } from './pages/agents-page.tsx';
import {
  AgentIntegrationsPage,
  ApiKeysPage,
  McpServersPage,
  MembersPage,
  ProviderKeysPage,
  UsagePage,
} from './pages/lazy-org-pages.ts';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import type { Session } from './session/create-session.ts';
import { SessionContext, useSessionState } from './session/session-context.ts';

export function App(props: { session: Session }) {
  return (
    <SessionContext.Provider value={props.session}>
      <LocationProvider scope="/studio">
        <Pages />
      </LocationProvider>
    </SessionContext.Provider>
  );
}

/** Signed out, every address shows sign-in; signed in, sign-in and the bare /studio/ lead to the agents. */
function Pages() {
  const state = useSessionState();
  const location = useLocation();
  const isEntry = location.path === '/studio/' || location.path === '/studio/sign-in';

  useEffect(() => {
    if (state.kind === 'signed-in' && isEntry) location.route('/studio/agents', true);
  }, [state.kind, isEntry, location]);

  if (state.kind === 'restoring') {
    return (
      <main id="main" class="loading" aria-busy="true">
        <p>Loading Studio…</p>
      </main>
    );
  }
  if (state.kind === 'signed-out') return <SignInPage />;
  return (
    <AppShell org={state.org}>
      <Router>
        <Route path="/studio/agents" component={SignedInAgentsPage} />
        <Route path="/studio/agents/new" component={SignedInAgentWizardPage} />
        <Route path="/studio/agents/:name/edit" component={SignedInAgentWizardPage} />
        <Route path="/studio/agents/:name/playground" component={SignedInPlaygroundPage} />
        <Route path="/studio/agents/:name/integrations" component={SignedInIntegrationsPage} />
        <Route path="/studio/members" component={SignedInMembersPage} />
        <Route path="/studio/api-keys" component={SignedInApiKeysPage} />
        <Route path="/studio/providers" component={SignedInProviderKeysPage} />
        <Route path="/studio/mcp-servers" component={SignedInMcpServersPage} />
        <Route path="/studio/usage" component={SignedInUsagePage} />
        <Route default component={isEntry ? Nothing : NotFoundPage} />
      </Router>
    </AppShell>
  );
}

// Route components are module-level, so a re-render (a renewed token) never remounts a page.
function SignedInAgentsPage() {
  const state = useSessionState();
  return state.kind === 'signed-in' ? <AgentsPage org={state.org} /> : null;
}

function SignedInMembersPage() {
  const state = useSessionState();
  return state.kind === 'signed-in' ? <MembersPage org={state.org} /> : null;
}

function SignedInApiKeysPage() {
  const state = useSessionState();
  return state.kind === 'signed-in' ? <ApiKeysPage org={state.org} /> : null;
}

function SignedInProviderKeysPage() {
  const state = useSessionState();
  return state.kind === 'signed-in' ? <ProviderKeysPage org={state.org} /> : null;
}

function SignedInMcpServersPage() {
  const state = useSessionState();
  return state.kind === 'signed-in' ? <McpServersPage org={state.org} /> : null;
}

function SignedInUsagePage() {
  const state = useSessionState();
  return state.kind === 'signed-in' ? <UsagePage org={state.org} /> : null;
}

function SignedInIntegrationsPage() {
  const state = useSessionState();
  const { params } = useRoute();
  const name = params.name;
  // Keyed by the agent: another agent's page starts from its own lists, forms and notices.
  return state.kind === 'signed-in' && name ? <AgentIntegrationsPage key={name} org={state.org} agent={name} /> : null;
}

// Loaded when first opened (its own script and stylesheet): the first page load stays lean.
const PlaygroundPage = lazy(() => import('./pages/playground-page.tsx').then((module) => module.PlaygroundPage));

function SignedInPlaygroundPage() {
  const state = useSessionState();
  const { params } = useRoute();
  const name = params.name;
  // Keyed by the agent, so moving to another agent's playground starts a conversation of its own.
  return state.kind === 'signed-in' && name ? <PlaygroundPage key={name} org={state.org} agent={name} /> : null;
}

// The wizard is the biggest page: loaded when first opened, with its own script and stylesheet.
const AgentWizardPage = lazy(() => import('./pages/agent-wizard-page.tsx').then((module) => module.AgentWizardPage));

function SignedInAgentWizardPage() {
  const state = useSessionState();
  const { params, query } = useRoute();
  // Keyed by the agent: opening another one (or a new one) starts from what the API holds for it.
  return state.kind === 'signed-in' ? (
    <AgentWizardPage key={params.name ?? ''} org={state.org} name={params.name} step={query.step} />
  ) : null;
}

/** What the entry addresses show for the moment before they lead to the agents. */
function Nothing() {
  return null;
}
