import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.ts';
import { explainAgentError } from './explain-agent-error.ts';

const conflict = (error: string) => new ApiError({ error, message: `the API's words for ${error}`, status: 409 });

describe('explainAgentError', () => {
  it.each([
    ['agent_already_deployed', 'deploy', '“bot” is already deployed — it was deployed elsewhere'],
    ['agent_already_paused', 'pause', '“bot” is already paused — it was paused elsewhere'],
    ['agent_not_deployed', 'pause', 'nothing to pause. Deploy it first.'],
    ['agent_deployed', 'deploy', 'Pause it first, then edit it.'],
  ] as const)('puts the 409 %s in words', (code, action, words) => {
    expect(explainAgentError(conflict(code), 'bot', action)).toContain(words);
  });

  it("falls back to the API's own message for an error it has no words for", () => {
    const error = new ApiError({
      error: 'runtime_unavailable',
      message: 'the org runtime did not answer',
      status: 502,
    });

    expect(explainAgentError(error, 'bot', 'deploy')).toBe('Could not deploy “bot”: the org runtime did not answer');
  });

  it('says the API could not be reached when the request itself failed', () => {
    expect(explainAgentError(new TypeError('Failed to fetch'), 'bot', 'delete')).toBe(
      'Could not delete “bot”: the API could not be reached. Try again.',
    );
  });
});
