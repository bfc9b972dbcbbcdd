import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { type ReconcileReport, type ReconcileResult, runWorkers } from './run-workers.ts';
import { TerminalError } from './terminal-error.ts';
import { createWorkQueue } from './work-queue.ts';

function startWorkers(options: {
  reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileResult>;
  workers?: number;
}) {
  const queue = createWorkQueue({ baseDelayMs: 10 });
  const reports: ReconcileReport[] = [];
  const controller = new AbortController();
  const running = runWorkers({
    queue,
    workers: options.workers ?? 2,
    reconcile: options.reconcile,
    onResult: (report) => reports.push(report),
    signal: controller.signal,
  });
  return { queue, reports, running, stop: () => controller.abort() };
}

describe('runWorkers', () => {
  it('reconciles each added key and reports success', async () => {
    const reconciled: string[] = [];
    const run = startWorkers({ reconcile: async (key) => void reconciled.push(key) });

    run.queue.add('org-a');
    run.queue.add('org-b');

    await eventually(() =>
      expect(run.reports.map((r) => [r.key, r.outcome]).sort()).toEqual([
        ['org-a', 'success'],
        ['org-b', 'success'],
      ]),
    );
    expect(reconciled.sort()).toEqual(['org-a', 'org-b']);
    run.stop();
    await run.running;
  });

  it('retries a failing key with backoff and forgets its failures once it succeeds', async () => {
    let attempts = 0;
    const run = startWorkers({
      reconcile: async () => {
        attempts += 1;
        if (attempts < 3) throw new Error('apiserver unavailable');
      },
    });

    run.queue.add('org-a');

    await eventually(() => expect(run.reports.map((r) => r.outcome)).toEqual(['error', 'error', 'success']));
    expect(run.reports[0]?.error).toMatchObject({ message: 'apiserver unavailable' });
    expect(run.queue.failures('org-a')).toBe(0);
    run.stop();
    await run.running;
  });

  it('reports a terminal error once and does not retry it', async () => {
    let attempts = 0;
    const run = startWorkers({
      reconcile: async () => {
        attempts += 1;
        throw new TerminalError('spec.model is not a known provider');
      },
    });

    run.queue.add('org-a');
    await eventually(() => expect(run.reports.map((r) => r.outcome)).toEqual(['terminal_error']));
    // A second key proves the workers went on; a retried key would have counted a failure.
    run.queue.add('org-b');

    await eventually(() => expect(run.reports).toHaveLength(2));
    expect(attempts).toBe(2);
    expect(run.queue.failures('org-a')).toBe(0);
    run.stop();
    await run.running;
  });

  it('reconciles a key again after the delay its reconcile asked for', async () => {
    let attempts = 0;
    const run = startWorkers({
      reconcile: async () => {
        attempts += 1;
        return attempts === 1 ? { requeueAfterMs: 20 } : undefined;
      },
    });

    run.queue.add('org-a');

    await eventually(() => expect(run.reports.map((r) => r.outcome)).toEqual(['requeue_after', 'success']));
    run.stop();
    await run.running;
  });

  it('never reconciles one key in two workers at once, and reconciles it again after a change meanwhile', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let release: () => void = () => {};
    const firstStarted = Promise.withResolvers<void>();
    const run = startWorkers({
      workers: 4,
      reconcile: async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        firstStarted.resolve();
        if (run.reports.length === 0) await new Promise<void>((resolve) => (release = resolve));
        inFlight -= 1;
      },
    });

    run.queue.add('org-a');
    await firstStarted.promise;
    run.queue.add('org-a');
    run.queue.add('org-a');
    release();

    await eventually(() => expect(run.reports).toHaveLength(2));
    expect(maxInFlight).toBe(1);
    run.stop();
    await run.running;
  });

  it('resolves after the signal aborts, once the reconcile in flight has finished', async () => {
    const started = Promise.withResolvers<AbortSignal>();
    const finish = Promise.withResolvers<void>();
    let finished = false;
    const run = startWorkers({
      reconcile: async (_key, signal) => {
        started.resolve(signal);
        await finish.promise;
        finished = true;
      },
    });
    run.queue.add('org-a');
    const signal = await started.promise;

    run.stop();
    let resolved = false;
    void run.running.then(() => (resolved = true));
    await Promise.resolve();

    expect(signal.aborted).toBe(true);
    expect(resolved).toBe(false);
    finish.resolve();
    await run.running;
    expect(finished).toBe(true);
    expect(run.queue.isShutDown).toBe(true);
  });
});
