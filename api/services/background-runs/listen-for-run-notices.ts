import type pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';

/** NOTIFY channels, payload the run id: new events of a run, and a cancellation asked for a run. */
export const runEventsChannel = 'astromesh_run_events';
export const runCancelChannel = 'astromesh_run_cancel';

const reconnectDelayMs = 1_000;

export interface RunWatch {
  /** Settles on the first of: a notice of new events, the timeout, the signal. */
  arrived: Promise<void>;
  /** Settles it now, when the read found events and the watch is no longer needed. */
  stop(): void;
}

export interface RunNotices {
  /**
   * Resolves when `runId` has new events, after `timeoutMs` at the latest (the poll fallback for a
   * lost notice or a listening connection down), or when `signal` aborts. Call it before reading,
   * so that a notice sent between the read and the wait is not missed.
   */
  watch(runId: string, timeoutMs: number, signal: AbortSignal): RunWatch;
  close(): Promise<void>;
}

/**
 * One pooled connection per API replica that LISTENs for run notices from every replica. If it is
 * lost (PostgreSQL restarted), it is opened again after a second; meanwhile readers poll, and the
 * heartbeat polls for cancellations, so nothing waits on a notice alone.
 */
export function listenForRunNotices(deps: {
  db: Database;
  onCancelAsked: (runId: string) => void;
  log: Logger;
}): RunNotices {
  const log = deps.log.child({ component: 'run-notices' });
  const waiters = new Map<string, Set<() => void>>();
  let client: pg.PoolClient | undefined;
  let isClosed = false;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const onNotification = (message: pg.Notification) => {
    const runId = message.payload ?? '';
    if (message.channel === runCancelChannel) return deps.onCancelAsked(runId);
    for (const wake of waiters.get(runId) ?? []) wake();
  };

  async function connect(): Promise<void> {
    reconnectTimer = undefined;
    if (isClosed) return;
    let connected: pg.PoolClient | undefined;
    try {
      connected = await deps.db.connect();
      connected.on('notification', onNotification);
      connected.once('end', () => lost(connected));
      await connected.query(`LISTEN ${runEventsChannel}`);
      await connected.query(`LISTEN ${runCancelChannel}`);
      if (isClosed) return connected.release(true);
      client = connected;
    } catch (err) {
      log.warn({ err }, 'cannot listen for run notices; readers poll meanwhile');
      lost(connected);
    }
  }

  function lost(connection: pg.PoolClient | undefined): void {
    if (connection) {
      connection.removeListener('notification', onNotification);
      if (client === connection) client = undefined;
      try {
        connection.release(true);
      } catch {
        // Already released: its 'end' came after a failed LISTEN.
      }
    }
    if (!isClosed && !reconnectTimer) {
      reconnectTimer = setTimeout(() => void connect(), reconnectDelayMs);
      reconnectTimer.unref();
    }
  }

  void connect();

  return {
    watch(runId, timeoutMs, signal) {
      let stop: () => void = () => undefined;
      const arrived = new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', wake);
          const set = waiters.get(runId);
          set?.delete(wake);
          if (set?.size === 0) waiters.delete(runId);
          resolve();
        };
        stop = wake;
        const timer = setTimeout(wake, timeoutMs);
        signal.addEventListener('abort', wake, { once: true });
        if (!waiters.has(runId)) waiters.set(runId, new Set());
        waiters.get(runId)?.add(wake);
        if (signal.aborted) wake();
      });
      return { arrived, stop };
    },
    async close() {
      isClosed = true;
      clearTimeout(reconnectTimer);
      for (const set of waiters.values()) for (const wake of set) wake();
      const connection = client;
      client = undefined;
      if (connection) {
        connection.removeListener('notification', onNotification);
        connection.removeAllListeners('end');
        connection.release(true);
      }
    },
  };
}
