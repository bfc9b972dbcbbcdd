import type { Logger } from 'pino';
import { agentIdOf } from '../../crds/cloud-agent.ts';
import type { RunRequest } from '../../runtime/engine/run-request.ts';
import type { DeployBackend, RuntimeEndpoint } from '../backends/deploy-backend.ts';
import type { OrgRuntimeClient } from '../backends/org-runtime/org-runtime-client.ts';
import type { RuntimeAnswer, RuntimeProgressEvent } from '../backends/org-runtime/runtime-answer.ts';
import {
  RunCancelled,
  RuntimeCallFailed,
  runtimeNotReady,
  runtimeUnreachable,
} from '../backends/org-runtime/runtime-call-failed.ts';
import type { Database } from '../db/database.ts';
import { AppError, NotFound } from '../errors.ts';
import type { OrgAccess } from '../http/principal.ts';
import type { RunPricing } from '../pricing/price-runs.ts';
import type { StreamMode } from '../schemas/stream-event.ts';
import { type AgentRecord, findAgent } from '../stores/agents-store.ts';
import type { UsageOutcome } from '../stores/usage-store.ts';
import { retryUntilRouted } from './retry-until-routed.ts';
import type { RateLimit, RunReservation, UsageService } from './usage-service.ts';

export class AgentNotDeployed extends AppError {
  constructor(agent: AgentRecord) {
    super('agent_not_deployed', 400, `Agent '${agent.name}' is in ${agent.status} state. Deploy it first.`);
  }
}

export interface ExecutionInput {
  access: OrgAccess;
  agentName: string;
  request: RunRequest;
  /** Aborted when the caller goes away: the runtime's run is cancelled with it. */
  signal: AbortSignal;
}

export interface ExecutionAnswer {
  answer: string;
  sessionId: string;
  tokensUsed: number;
  /** Prompt tokens of every model call of the run. */
  inputTokens: number;
  /** Completion tokens of every model call of the run. */
  outputTokens: number;
  /** The run's price in nano-dollars (USD × 1e9); null when its model is unpriced. */
  costNanoUsd: number | null;
  /** provider/model that answered, e.g. openai/gpt-6-luna. */
  model: string;
  latencyMs: number;
  traceId: string;
  /** The agent version that answered (agent_versions), as the runtime that ran it says; null if it did not say. */
  version: number | null;
}

type ExecutionKind = 'run' | 'test' | 'stream';

/** One finished execution as the metrics count it; `outcome` is `ok` or the caller's error code. */
export interface RunMetric {
  org: string;
  agent: string;
  kind: ExecutionKind;
  outcome: string;
  tokensIn: number;
  tokensOut: number;
  /** The run's price in nano-dollars; null when its model is unpriced (or no model answered). */
  costNanoUsd: number | null;
  latencyMs: number;
}

/**
 * Runs deployed agents on their org's runtime: `run` and `stream` take one run of the org's daily
 * budget and leave a usage record, `test` (and a stream in test mode) does neither (seed 001). A run whose query never reached
 * the runtime (no runtime ready, connection refused, a caller who left first), that the runtime
 * refused, or that every provider failed gives its run back. Once the query was sent, a model may
 * have worked on it (and billed for it), so it keeps its run: an answer, a timeout, a runtime
 * failure or crash mid-run, a caller who left mid-run.
 */
export function createExecutionService(deps: {
  db: Database;
  backend: DeployBackend;
  usage: UsageService;
  /** Prices each run from its model and tokens (api/pricing). */
  pricing: RunPricing;
  runtime: OrgRuntimeClient;
  /** Counts each finished run, test or stream of an existing agent in the API's metrics. */
  recordRun: (run: RunMetric) => void;
  /** How long a call no runtime took in (none ready, connection refused...) is retried; 0: never. */
  runtimeRetryMs: number;
  /** Counts each call as the org's activity from start to end, so an org in use never sleeps. */
  orgActivity?: { begin(orgSlug: string): () => void };
  now: () => Date;
  log: Logger;
}) {
  const log = deps.log.child({ component: 'execution-service' });

  async function agentOf(access: OrgAccess, name: string): Promise<AgentRecord> {
    return (await findAgent(deps.db, { orgId: access.orgId, name })) ?? notFound(name);
  }

  async function endpointOf(orgSlug: string): Promise<RuntimeEndpoint> {
    // Undefined only while the org has nothing deployed, or its runtime is (re)starting.
    const endpoint = await deps.backend.endpointOf(orgSlug).catch((err: unknown) => {
      throw runtimeUnreachable(err, { wasSent: false });
    });
    if (!endpoint) throw runtimeNotReady(orgSlug);
    return endpoint;
  }

  async function execute(
    input: ExecutionInput & {
      kind: ExecutionKind;
      /** Streamed from the runtime (its progress events passed on), whether counted (`stream`) or not (`test`). */
      isStreamed?: boolean;
      onRateLimit?: (rateLimit: RateLimit) => void;
      onEvent?: (event: RuntimeProgressEvent) => void;
    },
  ): Promise<ExecutionAnswer> {
    const { access, kind } = input;
    const startedAt = deps.now().getTime();
    const latencyMs = () => Math.max(0, deps.now().getTime() - startedAt);
    // A run finds its agent and takes its run of the day in one round trip; a test takes none.
    const { agent, reservation } =
      kind === 'test'
        ? { agent: await agentOf(access, input.agentName), reservation: undefined }
        : ((await deps.usage.reserveRunOf(access.orgId, input.agentName, apiKeyIdOf(access))) ??
          notFound(input.agentName));
    try {
      if (agent.status !== 'deployed') throw new AgentNotDeployed(agent);
      input.onRateLimit?.(reservation?.rateLimit ?? (await deps.usage.rateLimitOf(access.orgId)));
      // A request without a session_id gets one from the runtime, which answers with it (so the
      // caller can continue the conversation) and, knowing the session is new, reads no memory
      // for it: one PostgreSQL round trip less for a run that starts a conversation (issue 13).
      const { request } = input;
      const agentId = agentIdOf(access.orgSlug, agent.name);
      let hasPassedOn = false;
      const onEvent = (event: RuntimeProgressEvent) => {
        hasPassedOn = true;
        input.onEvent?.(event);
      };
      const endActivity = deps.orgActivity?.begin(access.orgSlug);
      const answer = await retryUntilRouted(
        async () => {
          const call = { endpoint: await endpointOf(access.orgSlug), agentId, request, signal: input.signal };
          return input.isStreamed ? deps.runtime.stream({ ...call, onEvent }) : deps.runtime.run(call);
        },
        {
          windowMs: deps.runtimeRetryMs,
          signal: input.signal,
          mayRetryNow: () => !hasPassedOn,
          onRetry: (failure) =>
            log.debug({ err: failure, org: access.orgSlug, agent: agent.name }, 'runtime not reachable yet; retrying'),
        },
      ).finally(endActivity);
      const executed = answerOf(answer, agent, latencyMs(), deps.pricing);
      await finish({ access, agent, kind, reservation, outcome: 'ok', answer, latencyMs: executed.latencyMs });
      return executed;
    } catch (err) {
      const outcome = outcomeOf(err);
      await finish({ access, agent, kind, reservation, outcome, errorCode: codeOf(err), latencyMs: latencyMs() });
      // The run was given back: say so in the X-RateLimit-Remaining of this answer.
      const rateLimit = reservation?.rateLimit;
      if (rateLimit && outcome === 'not_served')
        input.onRateLimit?.({ ...rateLimit, remaining: Math.min(rateLimit.limit, rateLimit.remaining + 1) });
      throw err;
    }
  }

  /** Counts the finished run in the metrics and, when it took a run of the budget, settles it. */
  async function finish(result: {
    access: OrgAccess;
    agent: AgentRecord;
    kind: ExecutionKind;
    reservation: RunReservation | undefined;
    outcome: UsageOutcome;
    errorCode?: string;
    answer?: RuntimeAnswer;
    latencyMs: number;
  }): Promise<void> {
    const { agent, answer, reservation } = result;
    const tokensIn = answer?.usage.input_tokens ?? 0;
    const tokensOut = answer?.usage.output_tokens ?? 0;
    const model = answer ? modelOf(answer, agent) : null;
    // A run no model answered used no tokens and costs nothing.
    const costNanoUsd = deps.pricing.costNanoUsdOf({ model, tokensIn, tokensOut });
    deps.recordRun({
      org: result.access.orgSlug,
      agent: agent.name,
      kind: result.kind,
      outcome: result.errorCode ?? 'ok',
      tokensIn,
      tokensOut,
      costNanoUsd,
      latencyMs: result.latencyMs,
    });
    if (!reservation) return;
    const settling = deps.usage
      .settleRun(reservation, {
        agentName: agent.name,
        kind: result.kind === 'stream' ? 'stream' : 'run',
        tokensIn,
        tokensOut,
        model,
        costNanoUsd,
        agentVersion: answer ? versionOf(answer) : null,
        latencyMs: result.latencyMs,
        outcome: result.outcome,
      })
      // The caller's answer must not be lost to a bookkeeping failure; the run stays counted.
      .catch((err: unknown) => log.error({ err, org: result.access.orgSlug, agent: agent.name }, 'usage not recorded'));
    // A run given back must be back before the caller hears of it (its X-RateLimit-Remaining says
    // so); a usage record of a served run need not hold up the answer.
    if (result.outcome === 'not_served') await settling;
  }

  return {
    run: (input: ExecutionInput & { onRateLimit: (rateLimit: RateLimit) => void }) =>
      execute({ ...input, kind: 'run' }),
    test: (input: ExecutionInput & { onRateLimit: (rateLimit: RateLimit) => void }) =>
      execute({ ...input, kind: 'test' }),
    /** A stream's query; in `test` mode (Studio's playground by default) it is a test: not counted, no daily limit. */
    stream: (
      input: ExecutionInput & {
        mode: StreamMode;
        onEvent: (event: RuntimeProgressEvent) => void;
        /** Called once the run is taken (agent deployed, a run of the day reserved), before the runtime is called. */
        onRateLimit?: (rateLimit: RateLimit) => void;
      },
    ) => execute({ ...input, kind: input.mode === 'test' ? 'test' : 'stream', isStreamed: true }),
    /** The agent, or 404: a stream is refused at its upgrade for an agent that does not exist. */
    agentOf,
  };
}
export type ExecutionService = ReturnType<typeof createExecutionService>;

const notFound = (agentName: string): never => {
  throw new NotFound(`agent '${agentName}'`);
};

const apiKeyIdOf = (access: OrgAccess) => (access.principal.kind === 'api_key' ? access.principal.keyId : undefined);

const codeOf = (err: unknown) => (err instanceof AppError ? err.code : 'internal_error');

function outcomeOf(err: unknown): UsageOutcome {
  if (err instanceof RunCancelled) return err.wasSent ? 'cancelled' : 'not_served';
  if (err instanceof RuntimeCallFailed && !err.mayHaveReachedModel) return 'not_served';
  return 'failed';
}

// The runtime names the candidate that answered as provider/model already; null when no model was called.
const modelOf = (answer: RuntimeAnswer, agent: AgentRecord): string => answer.model ?? agent.config.step1.model;

function answerOf(answer: RuntimeAnswer, agent: AgentRecord, latencyMs: number, pricing: RunPricing): ExecutionAnswer {
  const { input_tokens: inputTokens, output_tokens: outputTokens } = answer.usage;
  const model = modelOf(answer, agent);
  return {
    answer: answer.response,
    sessionId: answer.session_id,
    tokensUsed: inputTokens + outputTokens,
    inputTokens,
    outputTokens,
    costNanoUsd: pricing.costNanoUsdOf({ model, tokensIn: inputTokens, tokensOut: outputTokens }),
    model,
    latencyMs,
    traceId: answer.trace_id,
    version: versionOf(answer),
  };
}

/** The agent version the runtime ran, from the metadata.version the API stamped (a whole number). */
function versionOf(answer: RuntimeAnswer): number | null {
  const version = answer.agent_version;
  return version && /^[1-9][0-9]{0,8}$/.test(version) ? Number(version) : null;
}
