import { describe, expect, it } from 'vitest';
import { explainStreamError } from './explain-stream-error.ts';

const anError = (error: string, status: number, extra: { retry_after?: number } = {}) =>
  ({ type: 'error', error, message: `the API's words for ${error}.`, status, ...extra }) as const;

describe('explainStreamError', () => {
  it('says a paused or draft agent must be deployed again, and asks for the link to the Agents page', () => {
    const explained = explainStreamError(anError('agent_not_deployed', 400), 'support-bot');

    expect(explained.isNotDeployed).toBe(true);
    expect(explained.text).toContain('“support-bot” is not deployed');
    expect(explained.text).toContain('Deploy it again on the Agents page');
  });

  it.each([
    ['daily_limit_reached', 429, 'Test runs are not counted'],
    ['stream_limit_reached', 429, 'Close a playground in another tab'],
    ['not_found', 404, '“bot” no longer exists'],
    ['invalid_request', 400, "The message was refused: the API's words for invalid_request."],
  ])('puts %s in words', (code, status, words) => {
    const explained = explainStreamError(anError(code, status), 'bot');

    expect(explained.text).toContain(words);
    expect(explained.isNotDeployed).toBe(false);
  });

  it("falls back to the API's message, with when to retry a temporary refusal", () => {
    expect(explainStreamError(anError('runtime_unavailable', 502), 'bot').text).toBe(
      "The agent could not answer: the API's words for runtime_unavailable.",
    );
    expect(explainStreamError(anError('database_unavailable', 503, { retry_after: 5 }), 'bot').text).toBe(
      "The agent could not answer: the API's words for database_unavailable. Try again in 5 seconds.",
    );
  });
});
