import { RuntimeError } from '../runtime-error.ts';

/**
 * The agent's conversation store cannot be reached (a Redis server down, a file that cannot be
 * opened). The run fails with a 503 saying so, the daemon keeps serving, and the next run tries again.
 */
export class MemoryUnavailable extends RuntimeError {
  constructor(backend: string, reason: string, options: { cause?: unknown } = {}) {
    super('memory_unavailable', 503, `the ${backend} conversation memory is unavailable: ${reason}`, options);
  }
}
