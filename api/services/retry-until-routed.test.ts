import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  RunCancelled,
  RuntimeCallFailed,
  runtimeFailure,
  runtimeNotReady,
} from '../backends/org-runtime/runtime-call-failed.ts';
import { retryUntilRouted } from './retry-until-routed.ts';

const neverAborted = new AbortController().signal;

/** A call that fails with each of `failures` in turn, then answers 'served'. */
function failingFirst(...failures: Error[]) {
  const call = async () => {
    call.tries += 1;
    const failure = failures.shift();
    if (failure) throw failure;
    return 'served';
  };
  call.tries = 0;
  return call;
}

describe('retryUntilRouted', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('sends a call no runtime took in again until one answers', async () => {
    const call = failingFirst(runtimeNotReady('acme'), runtimeFailure({ status: 404, body: {} }));

    await expect(retryUntilRouted(call, { windowMs: 5_000, signal: neverAborted })).resolves.toBe('served');
    expect(call.tries).toBe(3);
  });

  it('never sends again a call a runtime may have worked on', async () => {
    const cut = new RuntimeCallFailed({
      code: 'runtime_unavailable',
      status: 502,
      message: 'cut',
      mayHaveReachedModel: true,
    });
    const call = failingFirst(cut);

    await expect(retryUntilRouted(call, { windowMs: 5_000, signal: neverAborted })).rejects.toBe(cut);
    expect(call.tries).toBe(1);
  });

  it('never sends again a call that failed in our own code', async () => {
    const bug = new TypeError('x is undefined');
    const call = failingFirst(bug);

    await expect(retryUntilRouted(call, { windowMs: 5_000, signal: neverAborted })).rejects.toBe(bug);
    expect(call.tries).toBe(1);
  });

  it('throws the last failure once the window is spent', async () => {
    const failures = Array.from({ length: 100 }, () => runtimeNotReady('acme'));
    const call = failingFirst(...failures.slice());

    const thrown = await retryUntilRouted(call, { windowMs: 350, signal: neverAborted }).catch((err: unknown) => err);

    expect(thrown).toBe(failures[call.tries - 1]);
    // Pauses of 100 ms, 200 ms, then what is left of the window: four tries, three if a timer ran late.
    expect(call.tries).toBeGreaterThanOrEqual(3);
    expect(call.tries).toBeLessThanOrEqual(4);
  });

  it('opens its window at the first failure: a first try that waited a minute for a wake is still tried again', async () => {
    let clockMs = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => clockMs);
    const call = failingFirst(runtimeNotReady('acme'));
    const wakingFirst = async () => {
      // The first try waits for a sleeping org's runtime (the wake), then finds it not routed yet.
      if (call.tries === 0) clockMs += 60_000;
      return call();
    };

    await expect(retryUntilRouted(wakingFirst, { windowMs: 5_000, signal: neverAborted })).resolves.toBe('served');
    expect(call.tries).toBe(2);
  });

  it('sends nothing again once mayRetryNow says no (a stream that passed events on)', async () => {
    const call = failingFirst(runtimeNotReady('acme'));

    await expect(
      retryUntilRouted(call, { windowMs: 5_000, signal: neverAborted, mayRetryNow: () => false }),
    ).rejects.toBeInstanceOf(RuntimeCallFailed);
    expect(call.tries).toBe(1);
  });

  it('ends the wait as a call never sent when the caller leaves', async () => {
    const caller = new AbortController();
    const call = failingFirst(...Array.from({ length: 100 }, () => runtimeNotReady('acme')));

    const pending = retryUntilRouted(call, {
      windowMs: 60_000,
      signal: caller.signal,
      onRetry: () => caller.abort(),
    });

    await expect(pending).rejects.toMatchObject(new RunCancelled({ wasSent: false }));
    await expect(pending).rejects.toMatchObject({ wasSent: false });
    expect(call.tries).toBe(1);
  });

  it('tries once when the window is 0', async () => {
    const call = failingFirst(runtimeNotReady('acme'));

    await expect(retryUntilRouted(call, { windowMs: 0, signal: neverAborted })).rejects.toBeInstanceOf(
      RuntimeCallFailed,
    );
    expect(call.tries).toBe(1);
  });
});
