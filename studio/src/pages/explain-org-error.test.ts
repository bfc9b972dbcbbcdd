import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.ts';
import { explainOrgError } from './explain-org-error.ts';

describe('explainOrgError, the words for a failed org request', () => {
  it('explains the member limit with its number and what it counts', () => {
    const error = new ApiError({
      error: 'member_limit_reached',
      message: 'an org may have at most 3 members, owner included',
      status: 409,
    });

    expect(explainOrgError(error, 'invite ada@example.com')).toBe(
      'Could not invite ada@example.com: the org is full. An org may have at most 3 members. The free plan counts the owner too, and members cannot be removed in Studio yet.',
    );
  });

  it('says to revoke a key when the org holds as many API keys as it may', () => {
    const error = new ApiError({
      error: 'api_key_limit_reached',
      message: 'an org may have at most 20 API keys; revoke one first',
      status: 409,
    });

    expect(explainOrgError(error, 'create the key “CI”')).toContain(
      'An org may have at most 20 API keys. Revoke a key you no longer use',
    );
  });

  it('names the agents that still choose an MCP server the API refuses to delete', () => {
    const error = new ApiError({
      error: 'mcp_server_in_use',
      message:
        "MCP server 'order-desk' is used by agents 'support-bot', 'refund-bot'; remove it from their step3.mcp_servers first",
      status: 409,
    });

    expect(explainOrgError(error, 'delete the server “order-desk”')).toBe(
      'Could not delete the server “order-desk”: the agents “support-bot”, “refund-bot” still choose it. Untick it in step 3 of the wizard, then delete it.',
    );
  });

  it('names the field of a validation error in words', () => {
    const error = new ApiError({
      error: 'invalid_request',
      message: 'base_url: must be an http:// or https:// URL',
      status: 400,
    });

    expect(explainOrgError(error, 'save the openai key')).toBe(
      'Could not save the openai key: the base URL must be an http:// or https:// URL.',
    );
  });

  it('puts a problem that does not read on after the field’s name behind a colon', () => {
    const error = new ApiError({ error: 'invalid_request', message: 'email: Invalid email address', status: 400 });

    expect(explainOrgError(error, 'invite ada')).toBe('Could not invite ada: the email: invalid email address.');
  });

  it('says the API could not be reached when there was no answer at all', () => {
    expect(explainOrgError(new TypeError('Failed to fetch'), 'load the members')).toBe(
      'Could not load the members: the API could not be reached. Check your connection and try again.',
    );
  });

  it('tells a member to ask an owner or admin', () => {
    const error = new ApiError({ error: 'forbidden', message: 'this needs the role owner or admin', status: 403 });

    expect(explainOrgError(error, 'list the API keys')).toMatch(
      /^You cannot list the API keys: .* Ask an owner or admin\.$/,
    );
  });
});
