import { ApiError } from '../api/api-error.ts';

type Action = 'deploy' | 'pause' | 'delete' | 'save';

/**
 * What a failed agent action means, in words a person can act on. A 409 here nearly always means
 * the page was out of date (a teammate or another tab changed the agent), so it says so; the page
 * reloads the list after any failure.
 */
export function explainAgentError(error: unknown, agent: string, action: Action): string {
  if (!(error instanceof ApiError)) return `Could not ${action} “${agent}”: the API could not be reached. Try again.`;
  switch (error.code) {
    case 'agent_already_deployed':
      return `“${agent}” is already deployed — it was deployed elsewhere (another tab or a teammate) after this page loaded. The list now shows its current state.`;
    case 'agent_already_paused':
      return `“${agent}” is already paused — it was paused elsewhere after this page loaded. The list now shows its current state.`;
    case 'agent_not_deployed':
      return `“${agent}” is a draft that has never been deployed, so there is nothing to pause. Deploy it first.`;
    case 'agent_deployed':
      return `“${agent}” is deployed, and a deployed agent cannot be changed. Pause it first, then edit it.`;
    case 'not_found':
      return `“${agent}” no longer exists — it was deleted elsewhere. The list has been refreshed.`;
    case 'forbidden':
      return `You cannot ${action} “${agent}”: your role in this org does not allow it (${error.message}).`;
    default:
      return `Could not ${action} “${agent}”: ${error.message}`;
  }
}
