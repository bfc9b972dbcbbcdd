import { expect } from 'vitest';
import type { FuzzResult } from './run-schemathesis.ts';

/**
 * No failure, no error, exit 0, and enough cases to mean something. The whole report (each failure
 * with its curl reproduction) is the message of a failure.
 */
export function expectCleanFuzzRun(result: FuzzResult): void {
  expect({ failures: result.failures, errors: result.errors, exit: result.exitCode }, result.output).toEqual({
    failures: 0,
    errors: 0,
    exit: 0,
  });
  expect(result.cases).toBeGreaterThan(500);
}
