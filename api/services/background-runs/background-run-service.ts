import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RunRequest } from '../../../runtime/engine/run-request.ts';
import { RunCancelled } from '../../backends/org-runtime/runtime-call-failed.ts';
import type { Database } from '../../db/database.ts';
import { AppError, NotFound } from '../../errors.ts';
import { toErrorBody } from '../../http/error-envelope.ts';
import type { OrgAccess } from '../../http/principal.ts';
import { runAgentAnswerOf } from '../../routes/run-agent-answer-of.ts';
import { findAgent } from '../../stores/agents-store.ts';
import { isFinalEvent, listRunEvents, type StoredRunEvent } from '../../stores/background-run-events-store.ts';
import {
  type BackgroundRunRecord,
  deleteBackgroundRun,
  failRunsOfLostReplicas,
  findBackgroundRun,
  insertBackgroundRun,
  listBackgroundRuns,
  pruneBackgroundRuns,
  type RunOrigin,
  renewRunLeases,
  requestCancellation,
} from '../../stores/background-runs-store.ts';
import { AgentNotDeployed, type ExecutionService } from '../execution-service.ts';
import { DailyLimitReached, type RateLimit, type UsageService } from '../usage-service.ts';
import { createRunEventWriter, type RunEventWriter, type RunOutcome } from './create-run-event-writer.ts';
import { listenForRunNotices, runCancelChannel, runEventsChannel } from './listen-for-run-notices.ts';

// A replica renews its runs' leases every third of this; one that stops renewing (it died, or lost
// the database this long) has its runs failed by the next sweep of any replica (README: "Background runs").
const defaultLeaseSeconds = 30;
// How long a reader waits for a notice before it reads again anyway (a notice lost with its connection).
const defaultPollMs = 2_000;
// Finished runs stay readable (GET …/runs/{run_id}) this long; their events, eventsRetentionHours.
const runRetentionHours = 30 * 24;
const pruneEveryMs = 10 * 60_000;
const eventsPerRead = 500;
// Runs waiting for a slot, per slot: beyond this a replica refuses new ones (503) rather than grow.
const queuedPerSlot = 10;

export class BackgroundRunsBusy extends AppError {
  constructor() {
    super('background_runs_busy', 503, 'this API replica has too many background runs waiting; try again shortly', {
      headers: { 'Retry-After': '5' },
    });
  }
}

/** What starts a background run: the body of POST …/run, by whom, and from where (API, schedule, webhook). */
export interface StartRunInput {
  access: OrgAccess;
  agentName: string;
  request: RunRequest;
  origin: RunOrigin;
  /** The org's daily budget once the run took its share (for X-RateLimit-* headers). */
  onRateLimit?: (rateLimit: RateLimit) => void;
}

interface LocalRun {
  id: string;
  input: StartRunInput;
  controller: AbortController;
  writer: RunEventWriter;
  isCancelAsked: boolean;
  /** Settles once its outcome is written. */
  settled: Promise<void>;
  markSettled: () => void;
}

/**
 * Background runs (issue 16, item 4): started at once, executed in this process through the
 * execution service's `stream` (mode run: counted, daily limit, events), at most `maxRunning` at a
 * time per replica (the others wait in order, `queued`). State and events live in PostgreSQL, so
 * any replica answers GET and resumes an event stream, and POST …/cancel reaches the executing
 * replica by NOTIFY (or its heartbeat's poll). Runs of a replica that stops renewing its lease are
 * failed by a sweep of any replica, at its start and on each heartbeat.
 */
export function createBackgroundRunService(deps: {
  db: Database;
  execution: ExecutionService;
  usage: UsageService;
  /** Background runs this replica executes at once (ASTROMESH_MAX_BACKGROUND_RUNS). */
  maxRunning: number;
  /** How long a finished run's events are kept (ASTROMESH_RUN_EVENTS_RETENTION_HOURS). */
  eventsRetentionHours: number;
  leaseSeconds?: number;
  pollMs?: number;
  now: () => Date;
  log: Logger;
}) {
  const { db } = deps;
  const log = deps.log.child({ component: 'background-runs' });
  const leaseSeconds = deps.leaseSeconds ?? defaultLeaseSeconds;
  const pollMs = deps.pollMs ?? defaultPollMs;
  // This process, as the holder of the leases of the runs it executes.
  const holder = randomUUID();
  const running = new Map<string, LocalRun>();
  const waiting: LocalRun[] = [];
  // Every run of this replica until its outcome is written: running, waiting, or being settled.
  const held = new Map<string, LocalRun>();
  let isClosing = false;
  let lastPrunedAt = 0;

  const notices = listenForRunNotices({ db, onCancelAsked: (id) => void cancelHere(id), log });

  function localRunOf(id: string, input: StartRunInput): LocalRun {
    let markSettled: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      markSettled = resolve;
    });
    const writer = createRunEventWriter({ db, runId: id, log });
    const run = { id, input, controller: new AbortController(), writer, isCancelAsked: false, settled, markSettled };
    held.set(id, run);
    return run;
  }

  /**
   * Executes a run here: resolves once the execution service took it (its agent is deployed and
   * it took a run of the day), rejects if it refused it; the rest goes on in the background.
   */
  function execute(run: LocalRun): Promise<void> {
    running.set(run.id, run);
    const { access, agentName, request } = run.input;
    return new Promise<void>((accept, refuse) => {
      let isAccepted = false;
      deps.execution
        .stream({
          access,
          agentName,
          request,
          mode: 'run',
          signal: run.controller.signal,
          onRateLimit: (rateLimit) => {
            if (isAccepted) return;
            isAccepted = true;
            run.writer.markRunning();
            run.input.onRateLimit?.(rateLimit);
            accept();
          },
          onEvent: (event) => run.writer.append(event),
        })
        .then((answer) => {
          const result = runAgentAnswerOf(answer);
          return settle(run, { status: 'succeeded', result, error: null, finalEvent: { type: 'done', ...result } });
        })
        .catch((err: unknown) => {
          if (isAccepted) return settle(run, outcomeOfFailure(run, err));
          running.delete(run.id);
          held.delete(run.id);
          run.markSettled();
          refuse(err);
          startWaiting();
        });
    });
  }

  function outcomeOfFailure(run: LocalRun, err: unknown): RunOutcome {
    if (run.controller.signal.aborted && isClosing && !run.isCancelAsked) return replicaStopped;
    if (err instanceof RunCancelled || run.isCancelAsked)
      return { status: 'cancelled', result: null, error: null, finalEvent: { type: 'cancelled' } };
    const { error, message, status } = toErrorBody(err, run.id);
    if (status >= 500) log.warn({ err, run: run.id }, 'background run failed');
    return {
      status: 'failed',
      result: null,
      error: { code: error, message },
      finalEvent: { type: 'error', error, message, status },
    };
  }

  async function settle(run: LocalRun, outcome: RunOutcome): Promise<void> {
    await run.writer.finish(outcome);
    running.delete(run.id);
    const index = waiting.indexOf(run);
    if (index >= 0) waiting.splice(index, 1);
    held.delete(run.id);
    run.markSettled();
    startWaiting();
  }

  /** Starts waiting runs while slots are free. One the execution service refuses now fails with its reason. */
  function startWaiting(): void {
    while (!isClosing && running.size < deps.maxRunning && waiting.length > 0) {
      const run = waiting.shift() as LocalRun;
      execute(run).catch((err: unknown) => settle(run, outcomeOfFailure(run, err)));
    }
  }

  /** Cancels a run this replica holds, if it does; settles once its outcome is written. */
  function cancelHere(id: string): Promise<void> {
    const run = held.get(id);
    if (!run) return Promise.resolve();
    if (!run.isCancelAsked) {
      run.isCancelAsked = true;
      if (running.has(id)) run.controller.abort();
      else if (waiting.includes(run)) {
        // Out of the queue at once, so no slot that frees while its outcome is written starts it.
        waiting.splice(waiting.indexOf(run), 1);
        // Never sent to the execution service: nothing was reserved, nothing is counted.
        void settle(run, { status: 'cancelled', result: null, error: null, finalEvent: { type: 'cancelled' } });
      }
    }
    return run.settled;
  }

  async function heartbeat(): Promise<void> {
    try {
      const cancelAsked = await renewRunLeases(db, { holder, leaseSeconds });
      for (const id of cancelAsked) void cancelHere(id);
      const lost = await failRunsOfLostReplicas(db, { failure: replicaLost, eventChannel: runEventsChannel });
      if (lost > 0) log.warn({ runs: lost }, 'runs of a lost API replica failed');
      if (Date.now() - lastPrunedAt >= pruneEveryMs) {
        await pruneBackgroundRuns(db, { eventsHours: deps.eventsRetentionHours, runsHours: runRetentionHours });
        lastPrunedAt = Date.now();
      }
    } catch (err) {
      log.warn({ err }, 'background run heartbeat failed; retrying at the next one');
    }
  }
  // The first sweep at start: runs left by a replica that died before this one started.
  const firstSweep = heartbeat();
  const heartbeatTimer = setInterval(() => void heartbeat(), (leaseSeconds * 1_000) / 3);
  heartbeatTimer.unref();

  async function runOf(access: OrgAccess, id: string): Promise<BackgroundRunRecord> {
    return (await findBackgroundRun(db, { orgId: access.orgId, id })) ?? notFound(id);
  }

  return {
    /**
     * Starts a run and resolves with it, queued or running: the internal entry point of POST
     * …/agents/{name}/runs, schedules and webhooks. Refused like POST …/run (404, 400
     * agent_not_deployed, 429 daily_limit_reached), and then no run exists.
     */
    async start(input: StartRunInput): Promise<BackgroundRunRecord> {
      if (isClosing) throw new BackgroundRunsBusy();
      const { access, agentName } = input;
      const hasSlot = running.size < deps.maxRunning;
      if (!hasSlot) {
        if (waiting.length >= deps.maxRunning * queuedPerSlot) throw new BackgroundRunsBusy();
        // Refused now for what would refuse it later; the run is taken from the budget when it starts.
        const agent = (await findAgent(db, { orgId: access.orgId, name: agentName })) ?? notFound(agentName, 'agent');
        if (agent.status !== 'deployed') throw new AgentNotDeployed(agent);
        const rateLimit = await deps.usage.rateLimitOf(access.orgId);
        if (rateLimit.remaining === 0) throw new DailyLimitReached(rateLimit, deps.now());
        input.onRateLimit?.(rateLimit);
      }
      const id = randomUUID();
      const record = await insertBackgroundRun(db, {
        id,
        orgId: access.orgId,
        agentName,
        origin: input.origin,
        holder,
        leaseSeconds,
      });
      const run = localRunOf(id, input);
      if (!hasSlot || running.size >= deps.maxRunning) {
        waiting.push(run);
        return record;
      }
      try {
        await execute(run);
      } catch (err) {
        await deleteBackgroundRun(db, id).catch((cause: unknown) =>
          log.error({ err: cause, run: id }, 'refused run not deleted'),
        );
        throw err;
      }
      return { ...record, status: 'running', startedAt: deps.now() };
    },

    get: runOf,

    /** The agent's runs, newest first. */
    async list(access: OrgAccess, input: { agentName: string; cursor?: string; limit: number }) {
      const runs = await listBackgroundRuns(db, {
        orgId: access.orgId,
        agentName: input.agentName,
        beforePosition: input.cursor,
        limit: input.limit + 1,
      });
      const page = runs.slice(0, input.limit);
      return { runs: page, nextCursor: runs.length > input.limit ? (page.at(-1)?.position ?? null) : null };
    },

    /**
     * Asks for the run's cancellation, wherever it runs; a finished run stays as it ended. When
     * this replica runs it, resolves once it ended; another replica learns of it by NOTIFY.
     */
    async cancel(access: OrgAccess, id: string): Promise<BackgroundRunRecord> {
      const asked =
        (await requestCancellation(db, { orgId: access.orgId, id, noticeChannel: runCancelChannel })) ?? notFound(id);
      if (asked.finishedAt) return asked;
      await cancelHere(id);
      return runOf(access, id);
    },

    /**
     * The run's events after `afterSeq`, waiting for new ones until the final one; undefined when
     * the run has finished and no event follows `afterSeq` (there is nothing left to stream).
     */
    async eventsOf(
      access: OrgAccess,
      input: { id: string; afterSeq: number; signal: AbortSignal },
    ): Promise<AsyncIterable<StoredRunEvent> | undefined> {
      const run = await runOf(access, input.id);
      const first = await listRunEvents(db, { runId: run.id, afterSeq: input.afterSeq, limit: eventsPerRead });
      if (first.length === 0 && run.finishedAt) return undefined;
      return readEvents({ runId: run.id, orgId: access.orgId, first, afterSeq: input.afterSeq, signal: input.signal });
    },

    /** Fails the runs still waiting or running here (replica_stopped) and stops listening. */
    async close(): Promise<void> {
      isClosing = true;
      clearInterval(heartbeatTimer);
      await firstSweep;
      const stopping = waiting.splice(0).map((run) => settle(run, replicaStopped));
      const all = [...running.values()];
      for (const run of all) run.controller.abort();
      await Promise.all([...stopping, ...all.map((run) => run.settled)]);
      await notices.close();
    },
  };

  async function* readEvents(input: {
    runId: string;
    orgId: string;
    first: StoredRunEvent[];
    afterSeq: number;
    signal: AbortSignal;
  }): AsyncGenerator<StoredRunEvent> {
    let events = input.first;
    let after = input.afterSeq;
    while (!input.signal.aborted) {
      for (const event of events) {
        yield event;
        after = event.seq;
        if (isFinalEvent(event)) return;
      }
      // Watched before reading, so a notice that comes between the read and the wait is not missed.
      const watch = notices.watch(input.runId, pollMs, input.signal);
      events = await listRunEvents(db, { runId: input.runId, afterSeq: after, limit: eventsPerRead });
      if (events.length > 0) {
        watch.stop();
        continue;
      }
      const run = await findBackgroundRun(db, { orgId: input.orgId, id: input.runId });
      if (!run || run.finishedAt) {
        watch.stop();
        // A run's outcome and its last events are written together: read once more, then stop.
        for (const event of await listRunEvents(db, { runId: input.runId, afterSeq: after, limit: eventsPerRead }))
          yield event;
        return;
      }
      await watch.arrived;
    }
  }
}
export type BackgroundRunService = ReturnType<typeof createBackgroundRunService>;

const replicaLost = {
  code: 'replica_lost',
  message:
    'the API replica running it stopped renewing its lease (it stopped or lost the database); start the run again',
  status: 503,
};

const replicaStopped: RunOutcome = {
  status: 'failed',
  result: null,
  error: { code: 'replica_stopped', message: 'the API replica running it was stopped; start the run again' },
  finalEvent: {
    type: 'error',
    error: 'replica_stopped',
    message: 'the API replica running it was stopped; start the run again',
    status: 503,
  },
};

const notFound = (id: string, what = 'run'): never => {
  throw new NotFound(`${what} '${id}'`);
};
