import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type AgentStream, openAgentStream, type StreamEvent, type StreamMode } from '../api/agent-stream.ts';
import type { AgentSummary } from '../api/agents-api.ts';
import { ApiError } from '../api/api-error.ts';
import type { Session } from '../session/create-session.ts';
import { applyStreamEvent, type ChatTurn } from './apply-stream-event.ts';
import { type ExplainedStreamError, explainStreamError } from './explain-stream-error.ts';

/**
 * A conversation with a deployed agent over its WebSocket stream: one socket, opened on the first
 * message and again whenever it was dropped or the mode changed; the session id of the last
 * answer is sent with the next message, so the agent remembers the conversation.
 */
export function useAgentChat(input: { session: Session; org: string; agent: string; onNotDeployed: () => void }) {
  const { session, org, agent } = input;
  const [turns, setTurns] = useState<ChatTurn[]>([]);
  const [problem, setProblem] = useState<ExplainedStreamError | undefined>();
  const stream = useRef<AgentStream | undefined>(undefined);
  const sessionId = useRef<string | undefined>(undefined);
  const nextTurnId = useRef(1);
  // The socket's handlers need it now, not at the next render.
  const isAnsweringNow = useRef(false);
  // Stop pressed while the socket was still opening: the message is then never sent.
  const isStopRequested = useRef(false);
  const onNotDeployed = useRef(input.onNotDeployed);
  onNotDeployed.current = input.onNotDeployed;
  const isAnswering = turns.at(-1)?.state === 'answering';

  useEffect(() => () => stream.current?.close(), []);

  const updateLastTurn = (change: (turn: ChatTurn) => ChatTurn) =>
    setTurns((all) => {
      const last = all.at(-1);
      return last ? [...all.slice(0, -1), change(last)] : all;
    });

  const open = useCallback(
    async (mode: StreamMode): Promise<AgentStream> => {
      const onEvent = (event: StreamEvent) => {
        updateLastTurn((turn) => (turn.state === 'answering' ? applyStreamEvent(turn, event) : turn));
        if (event.type === 'done') sessionId.current = event.session_id;
        if (event.type === 'done' || event.type === 'cancelled' || event.type === 'error')
          isAnsweringNow.current = false;
        if (event.type === 'error') {
          const explained = explainStreamError(event, agent);
          setProblem(explained);
          if (explained.isNotDeployed) onNotDeployed.current();
        }
      };
      const onClose = (code: number) => {
        if (stream.current === opened) stream.current = undefined;
        // Dropped mid-answer: what arrived stays, the rest will not come. Between answers, the next message reconnects.
        if (code === 1000 || !isAnsweringNow.current) return;
        isAnsweringNow.current = false;
        updateLastTurn((turn) => (turn.state === 'answering' ? { ...turn, state: 'failed' } : turn));
        setProblem({
          text: 'The connection to the agent dropped before its answer was complete. Send your message again.',
          isNotDeployed: false,
        });
      };
      const token = session.accessToken() ?? '';
      const opened: AgentStream = await openAgentStream({ org, agent, token, mode, onEvent, onClose });
      return opened;
    },
    [session, org, agent],
  );

  /**
   * The open socket in `mode`, or a new one. Before a socket opens, the API is asked about the
   * agent: that renews an expired access token (the socket's token is checked at its upgrade only,
   * so it must be fresh, and a refused upgrade tells a browser nothing) and finds a paused agent
   * before any message is lost.
   */
  const connected = useCallback(
    async (mode: StreamMode): Promise<AgentStream> => {
      const current = stream.current;
      if (current?.isOpen() && current.mode === mode) return current;
      current?.close();
      const checkAgent = async () => {
        const path = `/orgs/${encodeURIComponent(org)}/agents/${encodeURIComponent(agent)}`;
        const found = await session.api.request<AgentSummary>('GET', path);
        if (found.status !== 'deployed') throw new AgentNotDeployed();
      };
      await checkAgent();
      let ready: AgentStream;
      try {
        ready = await open(mode);
      } catch {
        await checkAgent(); // the token may have expired in between: once more
        ready = await open(mode);
      }
      stream.current = ready;
      return ready;
    },
    [open, session, org, agent],
  );

  const send = useCallback(
    async (query: string, mode: StreamMode) => {
      setProblem(undefined);
      const turn: ChatTurn = { id: nextTurnId.current++, query, parts: [], state: 'answering' };
      setTurns((all) => [...all, turn]);
      isAnsweringNow.current = true;
      isStopRequested.current = false;
      try {
        const ready = await connected(mode);
        if (isStopRequested.current) {
          isAnsweringNow.current = false;
          updateLastTurn((last) => (last.id === turn.id ? { ...last, state: 'cancelled' } : last));
          return;
        }
        ready.send(sessionId.current ? { query, session_id: sessionId.current } : { query });
      } catch (err) {
        isAnsweringNow.current = false;
        updateLastTurn((last) => (last.id === turn.id ? { ...last, state: 'failed' } : last));
        setProblem(explainConnectFailure(err, agent));
        if (err instanceof AgentNotDeployed || (err instanceof ApiError && err.status === 404)) onNotDeployed.current();
      }
    },
    [connected, agent],
  );

  return {
    turns,
    isAnswering,
    problem,
    send,
    /** Stops the answer under way: the API cancels the run and its model request. */
    stop: () => {
      isStopRequested.current = true;
      stream.current?.cancel();
    },
    /** Forgets the conversation: the next message starts a new session. */
    startOver: () => {
      sessionId.current = undefined;
      setTurns([]);
      setProblem(undefined);
    },
  };
}

class AgentNotDeployed extends Error {}

function explainConnectFailure(err: unknown, agent: string): ExplainedStreamError {
  if (err instanceof AgentNotDeployed) {
    return explainStreamError({ type: 'error', error: 'agent_not_deployed', message: '', status: 400 }, agent);
  }
  if (err instanceof ApiError && err.status === 404) {
    return { text: `“${agent}” no longer exists: it was deleted elsewhere.`, isNotDeployed: false };
  }
  if (err instanceof ApiError) return { text: `Could not reach the agent: ${err.message}`, isNotDeployed: false };
  return {
    text: 'Could not connect to the agent’s stream: the API could not be reached. Try again.',
    isNotDeployed: false,
  };
}
