import type { Logger } from 'pino';
import { raceSignal } from './race-signal.ts';
import { ToolError, type ToolResult } from './tool-types.ts';

/**
 * Runs one tool call under its own deadline and the run's signal, and turns every way it can end
 * into a ToolResult. A tool that ignores its signal still cannot hold the run: the race settles at
 * the deadline and the tool's late result is dropped.
 */
export async function runWithDeadline(
  call: { name: string; timeoutMs: number; signal: AbortSignal; log: Logger },
  run: (signal: AbortSignal) => Promise<unknown>,
): Promise<ToolResult> {
  const deadline = new AbortController();
  const signal = AbortSignal.any([call.signal, deadline.signal]);
  const timer = setTimeout(() => {
    deadline.abort(new ToolError('timeout', `${call.name} did not finish within ${call.timeoutMs / 1000} s`));
  }, call.timeoutMs);
  try {
    const data = await raceSignal(run(signal), signal);
    return { success: true, data };
  } catch (err) {
    if (deadline.signal.aborted) return toolFailure('timeout', (deadline.signal.reason as Error).message);
    if (call.signal.aborted) return toolFailure('failed', `cancelled: ${messageOf(call.signal.reason)}`);
    if (err instanceof ToolError) return toolFailure(err.code, err.message);
    call.log.warn({ err }, 'tool threw an unexpected error');
    return toolFailure('failed', messageOf(err));
  } finally {
    clearTimeout(timer);
  }
}

export function toolFailure(code: ToolError['code'], message: string): ToolResult {
  return { success: false, error: { code, message } };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
