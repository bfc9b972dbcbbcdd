import { ApiError } from '../api/api-error.ts';

/**
 * What a failed request of an org page (members, API keys, provider keys, usage) means, in words a
 * person can act on. `attempt` says what was tried, as "invite ada@example.com" or "load the
 * members", and starts every sentence that does not name a cause of its own.
 */
export function explainOrgError(error: unknown, attempt: string): string {
  if (!(error instanceof ApiError))
    return `Could not ${attempt}: the API could not be reached. Check your connection and try again.`;
  switch (error.code) {
    case 'member_limit_reached':
      return `Could not ${attempt}: the org is full. ${limitOf(error.message, 'members')} The free plan counts the owner too, and members cannot be removed in Studio yet.`;
    case 'already_member':
      return `Could not ${attempt}: ${error.message}. Nothing changed.`;
    case 'api_key_limit_reached':
      return `Could not ${attempt}: ${limitOf(error.message, 'API keys')} Revoke a key you no longer use, then create this one.`;
    case 'mcp_server_in_use':
      return `Could not ${attempt}: ${whoStillChooses(error.message)}. Untick it in step 3 of the wizard, then delete it.`;
    case 'forbidden':
      return `You cannot ${attempt}: your role in this org does not allow it (${error.message}). Ask an owner or admin.`;
    case 'unauthorized':
      return `Could not ${attempt}: your session has ended. Sign in again.`;
    case 'not_found':
      return `Could not ${attempt}: it no longer exists — it was removed elsewhere. The list has been refreshed.`;
    case 'deployment_failed':
    case 'deploy_timeout':
      return `Could not ${attempt}: the org's runtime did not take the change, so nothing was saved (${error.message}). Try again in a moment.`;
    case 'database_unavailable':
      return `Could not ${attempt}: the API's database is not answering. Try again in a moment.`;
    default:
      if (error.field)
        return `Could not ${attempt}: ${fieldProblem(error.field, error.message.slice(error.field.length + 2))}.`;
      return `Could not ${attempt}: ${error.message}`;
  }
}

// The API says "MCP server 'x' is used by agents 'a', 'b'; remove it from …"; a person reads the agents.
function whoStillChooses(message: string): string {
  const listed = /used by agents? (.+?);/.exec(message)?.[1] ?? '';
  const agents = [...listed.matchAll(/'([^']+)'/g)].map((match) => `“${match[1]}”`);
  if (agents.length === 0) return 'an agent still chooses it';
  return agents.length === 1
    ? `the agent ${agents[0]} still chooses it`
    : `the agents ${agents.join(', ')} still choose it`;
}

// The API says "an org may have at most 3 members, owner included"; a person reads a sentence.
function limitOf(message: string, what: string): string {
  const limit = /at most (\d+)/.exec(message)?.[1];
  return limit ? `An org may have at most ${limit} ${what}.` : `${message}.`;
}

const fieldLabels: Record<string, string> = {
  email: 'the email',
  name: 'the name',
  role: 'the role',
  provider: 'the provider',
  api_key: 'the key',
  base_url: 'the base URL',
  days: 'the period',
  cron: 'the cron expression',
  timezone: 'the time zone',
  'input.query': 'the query',
  template: 'the template',
  server: 'the server name',
  url: 'the URL',
  token: 'the token',
  tools: 'the tools list',
};

// zod words most problems as "must …", which reads on after the field's name; others
// ("Invalid email address") follow a colon.
function fieldProblem(field: string, problem: string): string {
  const label = fieldLabels[field] ?? field;
  const text = problem.replace(/\.$/, '');
  return text.startsWith('must ') ? `${label} ${text}` : `${label}: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}
