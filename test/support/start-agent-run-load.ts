import { setTimeout as delay } from 'node:timers/promises';
import { type AgentSocket, openAgentSocket } from './open-agent-socket.ts';

/** What one call of the load got: an HTTP run, or one query on a stream. */
export interface LoadResult {
  via: 'run' | 'stream';
  /** HTTP status of a run; a stream's `status` field on error, 200 on done; 0: no answer at all. */
  status: number;
  /** The `error` code of a non-2xx answer or an error event. */
  error?: string;
  message?: string;
  /** A run's Retry-After header; a stream error event's `retry_after` (seconds). */
  retryAfter?: string | number | null;
  /** tokens_used of an answered run or a stream's done. */
  tokens?: number;
}

export interface AgentRunLoad {
  results(): readonly LoadResult[];
  answered(): number;
  /** Stops sending; resolves once every call under way has its answer. */
  stop(): Promise<readonly LoadResult[]>;
}

// The load's pace, not a wait for a condition: a refused call comes back in a millisecond, and
// without a pause a worker would spin through thousands of them during an outage.
const paceMs = 20;
const callTimeoutMs = 60_000;

/**
 * Keeps an agent busy through the Cloud API until stopped: `runners` loops of POST …/run and
 * `streams` loops of queries on a WebSocket stream (reopened if it closes), recording every answer.
 */
export function startAgentRunLoad(options: {
  url: string;
  org: string;
  token: string;
  agent: string;
  runners: number;
  streams: number;
}): AgentRunLoad {
  const results: LoadResult[] = [];
  let isStopped = false;
  const agentPath = `/api/v1/orgs/${options.org}/agents/${options.agent}`;

  async function runLoop(worker: number): Promise<void> {
    for (let call = 0; !isStopped; call += 1) {
      try {
        const response = await fetch(`${options.url}${agentPath}/run`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: `Where is order ${worker}-${call}?` }),
          signal: AbortSignal.timeout(callTimeoutMs),
        });
        const body = (await response.json()) as Record<string, unknown>;
        results.push({
          via: 'run',
          status: response.status,
          error: body.error as string | undefined,
          message: body.message as string | undefined,
          retryAfter: response.headers.get('retry-after'),
          tokens: body.tokens_used as number | undefined,
        });
      } catch (err) {
        results.push({ via: 'run', status: 0, message: String(err) });
      }
      await delay(paceMs);
    }
  }

  async function streamLoop(worker: number): Promise<void> {
    let socket: AgentSocket | undefined;
    for (let call = 0; !isStopped; call += 1) {
      try {
        socket ??= await openAgentSocket(options.url, {
          path: `${agentPath}/stream?token=${encodeURIComponent(options.token)}`,
        });
        socket.send({ query: `Stream ${worker}-${call}: where is my order?` });
        const end = (await socket.untilEnd()).at(-1) as Record<string, unknown>;
        results.push(
          end.type === 'done'
            ? { via: 'stream', status: 200, tokens: end.tokens_used as number }
            : {
                via: 'stream',
                status: end.status as number,
                error: end.error as string,
                message: end.message as string,
                retryAfter: end.retry_after as number | undefined,
              },
        );
      } catch (err) {
        // A socket refused at its upgrade or closed under a query: open a new one next time.
        results.push({ via: 'stream', status: 0, message: String(err) });
        await socket?.close().catch(() => undefined);
        socket = undefined;
      }
      await delay(paceMs);
    }
    await socket?.close();
  }

  const workers = [
    ...Array.from({ length: options.runners }, (_, worker) => runLoop(worker)),
    ...Array.from({ length: options.streams }, (_, worker) => streamLoop(worker)),
  ];

  return {
    results: () => results,
    answered: () => results.filter((result) => result.status === 200).length,
    async stop() {
      isStopped = true;
      await Promise.all(workers);
      return results;
    },
  };
}
