import { z } from 'zod';
import type { NetworkPolicy } from './guarded-fetch.ts';

export const defaultTimeoutSeconds = 30;
export const defaultMaxResponseBytes = 5 * 1024 * 1024;

/**
 * The `tools[].config` keys every request-making tool understands. The address checks are on by
 * default: a model chooses the URLs, so an agent must opt in before it can reach the machine or
 * network it runs on.
 */
export const NetworkConfig = z.object({
  allow_localhost: z
    .boolean()
    .default(false)
    .describe('Allow loopback addresses (127.0.0.0/8, ::1) and the name localhost. Upstream name.'),
  allow_private_network: z
    .boolean()
    .default(false)
    .describe(
      'Allow private (10/8, 172.16/12, 192.168/16, fc00::/7) and carrier-grade NAT (100.64/10) addresses. ' +
        'Link-local and cloud metadata addresses stay refused.',
    ),
  timeout_seconds: z
    .number()
    .positive()
    .max(600)
    .default(defaultTimeoutSeconds)
    .describe('Whole request, redirects and body included.'),
  max_response_bytes: z
    .int()
    .positive()
    .max(100 * 1024 * 1024)
    .default(defaultMaxResponseBytes),
});
export type NetworkConfig = z.infer<typeof NetworkConfig>;

/** What guardedFetch needs from a tool's network config. */
export function networkLimitsOf(config: NetworkConfig): {
  policy: NetworkPolicy;
  timeoutMs: number;
  maxResponseBytes: number;
} {
  return {
    policy: { allowLocalhost: config.allow_localhost, allowPrivateNetwork: config.allow_private_network },
    timeoutMs: config.timeout_seconds * 1000,
    maxResponseBytes: config.max_response_bytes,
  };
}
