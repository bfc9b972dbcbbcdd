import { useCallback, useState } from 'preact/hooks';
import type { AgentSummary } from '../api/agents-api.ts';
import { ApiError } from '../api/api-error.ts';
import { StateBadge } from '../components/state-badge.tsx';
import { useLoaded } from '../components/use-loaded.ts';
import { useSession } from '../session/session-context.ts';
import type { AnswerPart, ChatTurn } from './apply-stream-event.ts';
import './playground.css';
import { useAgentChat } from './use-agent-chat.ts';

/**
 * A chat with one deployed agent over its WebSocket stream: tokens as they arrive, tool calls
 * and their results, what each run cost, a Stop that cancels the run. Messages are tests by
 * default (not counted, as POST …/test); a switch makes them real runs.
 */
export function PlaygroundPage(props: { org: string; agent: string }) {
  const session = useSession();
  const [isRealRun, setIsRealRun] = useState(false);
  const [message, setMessage] = useState('');

  const getAgent = useCallback(() => {
    const path = `/orgs/${encodeURIComponent(props.org)}/agents/${encodeURIComponent(props.agent)}`;
    return session.api.request<AgentSummary>('GET', path);
  }, [session, props.org, props.agent]);
  const {
    value: agent,
    error: loadError,
    reload: load,
  } = useLoaded(getAgent, (err) => explainLoadError(err, props.agent));

  const chat = useAgentChat({ session, org: props.org, agent: props.agent, onNotDeployed: () => void load() });
  const label = agent?.display_name || props.agent;
  const isDeployed = agent?.status === 'deployed';

  function submit(event: Event) {
    event.preventDefault();
    const query = message.trim();
    if (query === '' || chat.isAnswering || !isDeployed) return;
    setMessage('');
    void chat.send(query, isRealRun ? 'run' : 'test');
  }

  return (
    <section aria-labelledby="playground-title" class="playground">
      <p class="back">
        <a href="/studio/agents">← All agents</a>
      </p>
      <div class="page-head">
        <h1 id="playground-title">Playground: {label}</h1>
        {agent && <StateBadge status={agent.status} />}
      </div>
      {loadError && (
        <p class="error" role="alert">
          {loadError} <a href="/studio/agents">Back to the Agents page</a>
        </p>
      )}
      {agent && !isDeployed && !chat.problem?.isNotDeployed && (
        <p class="error" role="alert">
          “{agent.name}” is {agent.status === 'paused' ? 'paused' : 'a draft'}: it answers no messages until it is
          deployed. <a href="/studio/agents">Deploy it on the Agents page</a>
        </p>
      )}
      <div class="mode-switch">
        <input
          id="count-runs"
          type="checkbox"
          role="switch"
          checked={isRealRun}
          aria-checked={isRealRun}
          disabled={chat.isAnswering}
          aria-describedby="count-runs-hint"
          onChange={(event) => setIsRealRun(event.currentTarget.checked)}
        />
        <label for="count-runs">Count as real runs</label>
        <p id="count-runs-hint" class="hint">
          {isRealRun
            ? 'Real runs: each message counts in usage and against the daily limit.'
            : 'Test runs: not counted in usage or against the daily limit.'}
        </p>
      </div>

      {chat.turns.length === 0 ? (
        <p class="empty">
          {isDeployed ? `Send a message to start a conversation with ${label}.` : 'No conversation yet.'}
        </p>
      ) : (
        <ol class="transcript" aria-label="Conversation">
          {chat.turns.map((turn) => (
            <Turn key={turn.id} turn={turn} agentLabel={label} />
          ))}
        </ol>
      )}
      <p class="chat-status" role="status">
        {chat.isAnswering ? `${label} is answering…` : ''}
      </p>
      {chat.problem && (
        <p class="error" role="alert">
          {chat.problem.text}
          {chat.problem.isNotDeployed && (
            <>
              {' '}
              <a href="/studio/agents">Go to the Agents page</a>
            </>
          )}
        </p>
      )}

      <form class="composer" onSubmit={submit}>
        <label for="message">Message</label>
        <textarea
          id="message"
          rows={3}
          value={message}
          disabled={!isDeployed}
          onInput={(event) => setMessage(event.currentTarget.value)}
          onKeyDown={(event) => {
            // Enter sends, Shift+Enter starts a new line, as in most chats.
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) submit(event);
          }}
        />
        <div class="composer-actions">
          <button type="submit" class="primary" disabled={!isDeployed || chat.isAnswering}>
            Send
          </button>
          <button type="button" class="danger" disabled={!chat.isAnswering} onClick={chat.stop}>
            Stop
          </button>
          <button type="button" disabled={chat.isAnswering || chat.turns.length === 0} onClick={chat.startOver}>
            New conversation
          </button>
        </div>
      </form>
    </section>
  );
}

function Turn(props: { turn: ChatTurn; agentLabel: string }) {
  const { turn } = props;
  return (
    <li class="turn">
      <div class="bubble from-person">
        <p class="who">You</p>
        <p class="text">{turn.query}</p>
      </div>
      <div class="bubble from-agent" aria-busy={turn.state === 'answering'}>
        <p class="who">{props.agentLabel}</p>
        {turn.parts.map((part, index) => (
          // Parts only ever grow at the end, so their index is a stable key.
          <Part key={index} part={part} />
        ))}
        {turn.state === 'answering' && turn.parts.length === 0 && <p class="hint">Thinking…</p>}
        {turn.state === 'done' && turn.facts && (
          <p class="run-facts">
            {turn.facts.tokensUsed} tokens · <code>{turn.facts.model}</code> · {turn.facts.latencyMs} ms
          </p>
        )}
        {turn.state === 'cancelled' && <p class="run-facts">Stopped: the run was cancelled.</p>}
        {turn.state === 'failed' && <p class="run-facts">No complete answer.</p>}
      </div>
    </li>
  );
}

function Part(props: { part: AnswerPart }) {
  const { part } = props;
  if (part.kind === 'text') return <p class="text">{part.text}</p>;
  return (
    <details class="tool-call">
      <summary>
        Tool <code>{part.tool}</code> {part.hasResult ? 'answered' : 'running…'}
      </summary>
      <p class="tool-label">Input</p>
      <pre>{JSON.stringify(part.input, null, 2)}</pre>
      {part.hasResult && (
        <>
          <p class="tool-label">Result</p>
          <pre>{JSON.stringify(part.result, null, 2)}</pre>
        </>
      )}
    </details>
  );
}

function explainLoadError(err: unknown, agent: string): string {
  return err instanceof ApiError && err.status === 404
    ? `There is no agent “${agent}” in this org.`
    : `Could not load “${agent}”: ${err instanceof Error ? err.message : 'the API could not be reached'}`;
}
