import type { ModelBlock, ModelSpec, RoutingStrategy } from '../config/agent-schema.ts';
import { createDeadline } from '../create-deadline.ts';
import { type CandidateFailure, ProvidersUnavailable } from '../runtime-error.ts';
import type { BreakerRegistry } from './circuit-breaker.ts';
import type { LatencyTracker } from './latency-tracker.ts';
import type { CandidateClient, ModelRequest, ModelRouter } from './model-types.ts';
import { ProviderCallError } from './model-types.ts';
import { type Candidate, candidateKey, rankCandidates } from './rank-candidates.ts';
import { type ResolvedModelBlock, resolveModelBlock } from './resolve-model-block.ts';

export interface RetryPolicy {
  /** Further attempts at the same candidate after a retryable failure, before falling back. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ModelRouterDeps {
  spec: ModelSpec;
  /** Called once per candidate, on its first call; the client is kept for the router's life. */
  clientFor: (block: ResolvedModelBlock) => CandidateClient;
  breakers: BreakerRegistry;
  latency: LatencyTracker;
  now: () => number;
  retry?: RetryPolicy;
  /** Per-call timeout when a candidate sets no `timeout`; for streams it bounds the wait for each chunk. */
  defaultTimeoutMs?: number;
  /** Observes every attempt (tracing, metrics); failures included. */
  onAttempt?: (attempt: AttemptRecord) => void;
}

export interface AttemptRecord {
  candidate: string;
  role: string;
  durationMs: number;
  outcome: 'success' | 'failure';
  error?: string;
}

interface CandidateGroup {
  candidates: Candidate[];
  strategy: RoutingStrategy;
}

const defaultRetry: RetryPolicy = { maxRetries: 2, baseDelayMs: 250, maxDelayMs: 4_000 };

/**
 * Tries the ranked candidates of the request's role in order. Each gets up to 1 + maxRetries
 * attempts when failures are retryable (429, 5xx, timeouts, connection errors), with
 * exponential backoff and jitter; a non-retryable failure (bad key, unknown model) or an open
 * circuit breaker moves on at once. When all fail: 503 providers_unavailable naming each.
 */
export function createModelRouter(deps: ModelRouterDeps): ModelRouter {
  const retry = deps.retry ?? defaultRetry;
  const defaultTimeoutMs = deps.defaultTimeoutMs ?? 60_000;
  const groups = candidateGroups(deps.spec);
  const turns = new Map<string, number>();
  // One client per candidate, built on its first call: a client reads its key on every call, so
  // keeping it changes nothing for rotated keys, and a run no longer resolves the block again.
  const clients = new Map<ResolvedModelBlock, CandidateClient>();
  const clientOf = (block: ResolvedModelBlock): CandidateClient => {
    let client = clients.get(block);
    if (client === undefined) {
      client = deps.clientFor(block);
      clients.set(block, client);
    }
    return client;
  };

  function rankedFor(request: ModelRequest): { role: string; ranked: Candidate[] } {
    const role = request.role && groups.has(request.role) ? request.role : 'default';
    const group = groups.get(role) as CandidateGroup;
    const turn = turns.get(role) ?? 0;
    turns.set(role, turn + 1);
    const ranked = rankCandidates({
      candidates: group.candidates,
      strategy: group.strategy,
      needsTools: (request.tools?.length ?? 0) > 0,
      latencyMs: (key) => deps.latency.get(key),
      turn,
    });
    return { role, ranked };
  }

  const timeoutMsOf = (block: ResolvedModelBlock) => (block.timeout ? block.timeout * 1000 : defaultTimeoutMs);

  async function withFallback<T>(
    request: ModelRequest,
    signal: AbortSignal,
    attempt: (candidate: Candidate, role: string) => Promise<T>,
  ): Promise<T> {
    const { role, ranked } = rankedFor(request);
    const failures: CandidateFailure[] = [];
    for (const candidate of ranked) {
      const breaker = deps.breakers.get(candidate.key);
      let lastFailure: CandidateFailure = { candidate: labelOf(candidate.block), error: 'circuit breaker open' };
      for (let retryCount = 0; retryCount <= retry.maxRetries; retryCount++) {
        if (!breaker.tryAcquire(deps.now())) break;
        const startedAt = deps.now();
        try {
          const result = await attempt(candidate, role);
          breaker.recordSuccess();
          deps.latency.record(candidate.key, deps.now() - startedAt);
          deps.onAttempt?.({
            candidate: labelOf(candidate.block),
            role,
            durationMs: deps.now() - startedAt,
            outcome: 'success',
          });
          return result;
        } catch (err) {
          if (signal.aborted) throw signal.reason;
          const failure = err as AttemptFailure;
          breaker.recordFailure(deps.now());
          deps.onAttempt?.({
            candidate: labelOf(candidate.block),
            role,
            durationMs: deps.now() - startedAt,
            outcome: 'failure',
            error: failure.message,
          });
          lastFailure = {
            candidate: labelOf(candidate.block),
            error: failure.message,
            ...(failure.status ? { status: failure.status } : {}),
          };
          if (!failure.isRetryable || retryCount === retry.maxRetries) break;
          await backoff(retry, retryCount, signal);
        }
      }
      failures.push(lastFailure);
    }
    throw new ProvidersUnavailable(failures);
  }

  return {
    generate(request, signal) {
      return withFallback(request, signal, async (candidate) => {
        const timeoutMs = timeoutMsOf(candidate.block);
        // Cleared once the call settles: see createDeadline for why not AbortSignal.timeout.
        const timeout = createDeadline(timeoutMs);
        try {
          return await clientOf(candidate.block).generate(request, AbortSignal.any([signal, timeout.signal]));
        } catch (err) {
          throw classify(err, candidate, timeout.signal, timeoutMs);
        } finally {
          timeout.clear();
        }
      });
    },

    async *stream(request, signal) {
      // An attempt succeeds once the first chunk arrives: the provider is answering, and from
      // then on text may have reached the caller, so a failure can no longer fall back.
      const opened = await withFallback(request, signal, async (candidate) => {
        const timeoutMs = timeoutMsOf(candidate.block);
        const idle = createIdleTimeout(timeoutMs);
        const chunks = clientOf(candidate.block)
          .stream(request, AbortSignal.any([signal, idle.signal]))
          [Symbol.asyncIterator]();
        try {
          const first = await chunks.next();
          idle.reset();
          return { candidate, chunks, first, idle, timeoutMs };
        } catch (err) {
          idle.clear();
          throw classify(err, candidate, idle.signal, timeoutMs);
        }
      });
      const { candidate, chunks, idle, timeoutMs } = opened;
      try {
        for (let next = opened.first; !next.done; next = await chunks.next()) {
          idle.reset();
          yield next.value;
        }
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        const failure = classify(err, candidate, idle.signal, timeoutMs);
        deps.breakers.get(candidate.key).recordFailure(deps.now());
        throw new ProvidersUnavailable([{ candidate: labelOf(candidate.block), error: failure.message }]);
      } finally {
        idle.clear();
        await chunks.return?.();
      }
    },
  };
}

interface AttemptFailure extends Error {
  isRetryable: boolean;
  status?: number;
}

function classify(err: unknown, candidate: Candidate, timeout: AbortSignal, timeoutMs: number): AttemptFailure {
  if (timeout.aborted) {
    return new ProviderCallError({
      candidate: labelOf(candidate.block),
      message: `no answer within ${timeoutMs} ms`,
      isRetryable: true,
      cause: err,
    });
  }
  if (err instanceof ProviderCallError) return err;
  // Anything else is a bug on our side of the call; trying again would fail the same way.
  return new ProviderCallError({
    candidate: labelOf(candidate.block),
    message: err instanceof Error ? err.message : String(err),
    isRetryable: false,
    cause: err,
  });
}

function labelOf(block: ResolvedModelBlock): string {
  return `${block.provider}/${block.model}`;
}

function candidateGroups(spec: ModelSpec): Map<string, CandidateGroup> {
  const toCandidates = (blocks: ModelBlock[]) =>
    blocks.map(routerBlock).map((block) => ({ key: candidateKey(block), block }));
  const groups = new Map<string, CandidateGroup>();
  // Upstream's legacy order: primary, fallback, then the extra candidates in the file's order.
  const legacy = [spec.primary, spec.fallback, ...Object.values(spec.extra ?? {})].filter(
    (block): block is ModelBlock => block !== undefined,
  );
  groups.set('default', {
    candidates: toCandidates(spec.default?.candidates ?? legacy),
    strategy: spec.default?.strategy ?? spec.routing?.strategy ?? 'cost_optimized',
  });
  for (const [role, group] of Object.entries(spec.roles ?? {})) {
    groups.set(role, { candidates: toCandidates(group.candidates), strategy: group.strategy ?? 'cost_optimized' });
  }
  return groups;
}

/**
 * The loader resolved every block already (providerRef, litellm, shorthand); resolving again is a
 * no-op for those, and makes a router built from a hand-written spec (tests, the API) see the same.
 */
function routerBlock(block: ModelBlock): ResolvedModelBlock {
  const resolved = resolveModelBlock(block, undefined);
  if (resolved.block) return resolved.block;
  throw new Error(resolved.issues.map((issue) => `model.${issue.path.join('.')}: ${issue.message}`).join('; '));
}

async function backoff(retry: RetryPolicy, attempt: number, signal: AbortSignal): Promise<void> {
  const ceilingMs = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  // Full jitter: replicas retrying the same overloaded provider spread out instead of colliding.
  const delayMs = Math.random() * ceilingMs;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, delayMs);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** An abort signal that fires when no chunk arrived for `timeoutMs`. */
function createIdleTimeout(timeoutMs: number) {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(new Error('idle timeout')), timeoutMs);
  return {
    signal: controller.signal,
    reset() {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new Error('idle timeout')), timeoutMs);
    },
    clear() {
      clearTimeout(timer);
    },
  };
}
