import type { StreamEvent } from '../api/agent-stream.ts';

type StreamError = Extract<StreamEvent, { type: 'error' }>;

/** What a stream's error means to the person chatting; `isNotDeployed` asks for the link back to the Agents page. */
export interface ExplainedStreamError {
  text: string;
  isNotDeployed: boolean;
}

/** The stream's `error` event in words a person can act on (the API's own message where it has none better). */
export function explainStreamError(event: StreamError, agent: string): ExplainedStreamError {
  const plain = (text: string) => ({ text, isNotDeployed: false });
  switch (event.error) {
    case 'agent_not_deployed':
      return {
        text: `“${agent}” is not deployed (it was paused, or is still a draft), so it answers no messages. Deploy it again on the Agents page, then come back.`,
        isNotDeployed: true,
      };
    case 'daily_limit_reached':
      return plain(
        'The org has used all of today’s runs. Test runs are not counted: switch “Count as real runs” off to keep trying the agent.',
      );
    case 'stream_limit_reached':
      return plain(
        'The org already has as many open chats as it may have. Close a playground in another tab (or another program’s stream), then send again.',
      );
    case 'not_found':
      return plain(`“${agent}” no longer exists: it was deleted elsewhere.`);
    case 'invalid_request':
      return plain(`The message was refused: ${event.message}`);
    default:
      return plain(
        event.retry_after === undefined
          ? `The agent could not answer: ${event.message}`
          : `The agent could not answer: ${event.message} Try again in ${event.retry_after} seconds.`,
      );
  }
}
