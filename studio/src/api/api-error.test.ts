import { describe, expect, it } from 'vitest';
import { ApiError, errorBodyOf } from './api-error.ts';

describe('ApiError, from the API’s error envelope', () => {
  it('names the field a validation error names', () => {
    const error = new ApiError({
      error: 'invalid_request',
      message: 'step1.model: must be provider/model',
      status: 400,
    });

    expect(error).toMatchObject({ code: 'invalid_request', status: 400, field: 'step1.model' });
    expect(error.message).toBe('step1.model: must be provider/model');
  });

  it('names no field for a conflict, whatever its message looks like', () => {
    const error = new ApiError({ error: 'agent_deployed', message: 'note: pause it first', status: 409 });

    expect(error.field).toBeUndefined();
  });

  it('reads the envelope of a failed response', async () => {
    const response = Response.json(
      { error: 'not_found', message: "agent 'bot' not found", status: 404 },
      { status: 404 },
    );

    expect(await errorBodyOf(response)).toEqual({ error: 'not_found', message: "agent 'bot' not found", status: 404 });
  });

  it('makes up an envelope for a body that is not the API’s (a proxy’s HTML page)', async () => {
    const response = new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' });

    expect(await errorBodyOf(response)).toEqual({
      error: 'unexpected_response',
      message: 'the server answered 502 Bad Gateway',
      status: 502,
    });
  });
});
