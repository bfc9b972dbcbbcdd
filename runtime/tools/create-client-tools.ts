import type { ToolSpec } from '../config/agent-schema.ts';
import { createRateLimiter, type RateLimit } from './rate-limiter.ts';
import type { ToolResult } from './tool-types.ts';

/**
 * An agent's tools of type client. The runtime announces a call (the caller sees the tool_call)
 * and does not run it; the model reads `{ok: true}`, upstream's only honest answer, since the
 * runtime cannot know whether anyone acted on it. A `rate_limit` still bounds the calls, as
 * upstream's registry does for client tools.
 */
export function createClientTools(deps: { agent: string; specs: readonly ToolSpec[]; clock?: () => Date }) {
  const limits = new Map<string, RateLimit | undefined>(
    deps.specs.filter((spec) => spec.type === 'client').map((spec) => [spec.name, spec.rate_limit]),
  );
  const limiter = createRateLimiter({ clock: deps.clock ?? (() => new Date()) });
  return {
    has: (name: string) => limits.has(name),
    announce(name: string): ToolResult {
      const limit = limits.get(name);
      const decision = limit
        ? limiter.tryAcquire({ agent: deps.agent, tool: name, limit })
        : { allowed: true as const };
      if (!decision.allowed && limit) {
        return {
          success: false,
          error: {
            code: 'rate_limited',
            message: `${name} allows ${limit.max_calls} calls per ${limit.window_seconds} s; try again in ${decision.retryAfterSeconds} s`,
          },
        };
      }
      return { success: true, data: { ok: true } };
    },
  };
}
export type ClientTools = ReturnType<typeof createClientTools>;
