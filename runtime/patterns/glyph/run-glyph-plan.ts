import type { GlyphPlan, PlanNode } from './compile-glyph.ts';
import { failure, type GlyphInvoke, type GlyphRunState, runStatement } from './evaluate-glyph.ts';
import type { GlyphCallRecord, GlyphExecutionError } from './glyph-errors.ts';

export interface GlyphRunResult {
  /** The value of the program's return statement. */
  value: unknown;
  calls: GlyphCallRecord[];
}

/**
 * Runs a compiled program as a DAG: every statement starts as soon as the statements binding
 * the names it reads have finished, so independent statements run in parallel, and a statement
 * runs after everything it depends on. A failed tool call fails the run with a
 * GlyphExecutionError carrying what ran; once the run fails or `signal` aborts (the run's
 * timeout or cancellation), no further statement or tool call starts.
 */
export function runGlyphPlan(
  plan: GlyphPlan,
  options: { invoke: GlyphInvoke; query: string; context: Record<string, unknown>; signal: AbortSignal },
): Promise<GlyphRunResult> {
  const names = new Map<string, unknown>([
    ['query', options.query],
    ['context', options.context],
  ]);
  let stopped = false;
  const state: GlyphRunState = { invoke: options.invoke, names, calls: [], stopped: () => stopped };
  const finished = new Set<string>();
  const started = new Set<PlanNode>();
  let running = 0;
  let value: unknown = null;

  return new Promise<GlyphRunResult>((resolve, reject) => {
    const stop = (reason: unknown) => {
      if (stopped) return;
      stopped = true;
      options.signal.removeEventListener('abort', onAbort);
      reject(reason);
    };
    const onAbort = () => stop(options.signal.reason);
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });

    const launchReady = () => {
      if (stopped) return;
      for (const node of plan.nodes) {
        if (started.has(node) || ![...node.reads].every((name) => finished.has(name))) continue;
        started.add(node);
        running++;
        runStatement(node.statement, state).then(
          (result) => {
            running--;
            if (node === plan.nodes[plan.returnIndex]) value = result;
            // A name an `if` did not bind in the branch it took reads as null.
            for (const name of node.writes) {
              if (!names.has(name)) names.set(name, null);
              finished.add(name);
            }
            launchReady();
          },
          (err: unknown) => {
            running--;
            stop(isExecutionError(err) ? err : failure(state, String(err instanceof Error ? err.message : err)));
          },
        );
      }
      if (!stopped && running === 0 && started.size === plan.nodes.length) {
        stopped = true;
        options.signal.removeEventListener('abort', onAbort);
        resolve({ value, calls: state.calls });
      }
    };
    launchReady();
  });
}

function isExecutionError(err: unknown): err is GlyphExecutionError {
  return err instanceof Error && err.name === 'GlyphExecutionError';
}
