import { openAgentSocket, type StreamEvent } from '../support/open-agent-socket.ts';

/**
 * One run over `WS /v1/ws/agent/{agent}`: sends `request`, collects every event up to the run's
 * `done` or `error`, and closes the socket. `text` is what the token events add up to.
 */
export async function streamAgentRun(
  runtimeUrl: string,
  agent: string,
  request: Record<string, unknown>,
): Promise<{ events: StreamEvent[]; text: string; final: StreamEvent }> {
  const socket = await openAgentSocket(runtimeUrl, { agent });
  socket.send(request);
  const events = await socket.untilEnd();
  await socket.close();
  const text = events
    .filter((event) => event.type === 'token')
    .map((event) => event.content)
    .join('');
  return { events, text, final: events.at(-1) as StreamEvent };
}
