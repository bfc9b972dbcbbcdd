import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error.ts';
import { issueOfError, issuesByControl } from './issue-of-error.ts';

describe('issueOfError', () => {
  it('turns a validation error naming a wizard field into an issue on it, without the field name', () => {
    const error = new ApiError({
      error: 'validation_failed',
      message: 'step2.system_prompt: template does not parse: unexpected token',
      status: 422,
    });

    expect(issueOfError(error)).toEqual({
      field: 'step2.system_prompt',
      message: 'template does not parse: unexpected token',
    });
  });

  it('puts a name already taken on the name', () => {
    const error = new ApiError({ error: 'agent_exists', message: "an agent named 'bot' already exists", status: 409 });

    expect(issueOfError(error)?.field).toBe('name');
  });

  it('leaves other errors to the page’s notice', () => {
    expect(issueOfError(new ApiError({ error: 'agent_deployed', message: 'pause it', status: 409 }))).toBeUndefined();
    expect(
      issueOfError(new ApiError({ error: 'invalid_request', message: 'body: expected object', status: 400 })),
    ).toBe(undefined);
    expect(issueOfError(new TypeError('fetch failed'))).toBeUndefined();
  });
});

describe('issuesByControl', () => {
  it('keeps the first issue of each control', () => {
    expect(
      issuesByControl([
        { field: 'step3.tools[0]', message: 'first' },
        { field: 'step3.tools[1]', message: 'second' },
        { field: 'step4.window_size', message: 'too wide' },
      ]),
    ).toEqual({ 'wizard-tools': 'first', 'wizard-window-size': 'too wide' });
  });
});
