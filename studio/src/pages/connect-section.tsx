import { CopyButton } from '../components/copy-button.tsx';
import { buildConnectSnippets } from './build-connect-snippets.ts';

/** How programs reach the agent: a snippet per protocol with this org's URLs (issue 16). */
export function ConnectSection(props: { org: string; agent: string; isDeployed: boolean }) {
  const snippets = buildConnectSnippets({ origin: window.location.origin, org: props.org, agent: props.agent });
  return (
    <section class="card integration-section" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect</h2>
      <p class="hint">
        Every way below needs an API key of this org, sent as <code>X-API-Key</code> or{' '}
        <code>Authorization: Bearer</code>: <a href="/studio/api-keys">create one on the API keys page</a> and keep it
        in <code>ASTROMESH_API_KEY</code>. Members' keys may call agents.
      </p>
      {!props.isDeployed && (
        <p class="warning">Only a deployed agent answers these: deploy it on the Agents page first.</p>
      )}
      {snippets.map((snippet) => (
        <div class="snippet" key={snippet.id}>
          <h3 id={`snippet-${snippet.id}`}>{snippet.title}</h3>
          <p class="snippet-url">
            {snippet.urlLabel}: <code data-snippet-url={snippet.id}>{snippet.url}</code>
          </p>
          <pre data-snippet={snippet.id}>
            <code>{snippet.code}</code>
          </pre>
          <CopyButton text={snippet.code} label={`Copy the ${snippet.title} snippet`} />
        </div>
      ))}
    </section>
  );
}
