import { describe, expect, it } from 'vitest';
import { followUntilClosed } from './follow-until-closed.ts';

describe('followUntilClosed', () => {
  it('aborts the request with the shutdown reason while it follows', () => {
    const shutdown = new AbortController();
    const request = new AbortController();
    followUntilClosed(request, shutdown.signal);
    shutdown.abort(new Error('shutting down'));
    expect((request.signal.reason as Error).message).toBe('shutting down');
  });

  it('lets go of a request once it is closed', () => {
    const shutdown = new AbortController();
    const request = new AbortController();
    const unfollow = followUntilClosed(request, shutdown.signal);
    unfollow();
    shutdown.abort(new Error('shutting down'));
    expect(request.signal.aborted).toBe(false);
  });

  it('aborts at once when the shutdown already happened', () => {
    const shutdown = new AbortController();
    shutdown.abort(new Error('shutting down'));
    const request = new AbortController();
    followUntilClosed(request, shutdown.signal);
    expect(request.signal.aborted).toBe(true);
  });
});
