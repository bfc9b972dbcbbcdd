import { setTimeout as delay } from 'node:timers/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeAccess } from '../kube/kube-access.ts';
import { createBackoff } from './exponential-backoff.ts';
import { jittered } from './jitter.ts';
import { isResourceVersionUnusable } from './kube-api-error.ts';
import { listAllPages } from './list-all-pages.ts';
import { createObjectStore, type InformerEventType } from './object-store.ts';
import { resolveCollectionPath } from './resolve-collection-path.ts';
import type { WatchEvent } from './stream-watch-events.ts';
import { startWatchWithWatchdog, type WatchEnd } from './watch-with-watchdog.ts';

export type { InformerEventType } from './object-store.ts';

export interface InformerOptions {
  /** Asked of the server per watch, jittered up to twice that; the server then ends the watch. Default 300. */
  watchTimeoutSeconds?: number;
  /** How long past a watch's timeout silence is tolerated before the watch counts as stuck. Default 30 s. */
  watchdogGraceMs?: number;
  /** A full relist every so often (jittered up to +20 %), in case a watch ever lost an event. Default 10 min. */
  relistIntervalMs?: number;
  /** Delay before the first retry of a failed list or watch; doubles per failure. Default 500 ms. */
  backoffInitialMs?: number;
  /** Longest delay between retries. Default 30 s. */
  backoffMaxMs?: number;
  /** Objects per list page. Default 500. */
  pageSize?: number;
}

export interface Informer<T extends KubernetesObject> {
  /** The object as last seen, if it exists; the cache's own copy, so treat it as read-only. */
  get(namespace: string | undefined, name: string): T | undefined;
  /** Every cached object, or those in `namespace`. */
  list(namespace?: string): T[];
  /** Whether the first list has been delivered. */
  hasSynced(): boolean;
  /** Settles once the first list has been delivered to `onEvent`; rejects if stopped before that. */
  synced: Promise<void>;
  /** Ends the watch and every retry; resolves once nothing runs any more. */
  stop(): Promise<void>;
}

/**
 * Keeps a cache of one kind of object and calls `onEvent` for every change, like client-go's
 * reflector: list (paginated), then watch from the list's resourceVersion with bookmarks. Unlike
 * client-node's informer it never gives up: a failed list or watch is retried with a jittered
 * exponential backoff; a watch the server ended resumes from the last resourceVersion seen; an
 * expired resourceVersion (410) leads to a fresh list whose differences are emitted, deletions
 * included, so handlers never miss one; a watchdog replaces a watch silent for longer than the
 * server would keep it open (a stuck connection); and a periodic relist is a safety net for the
 * rest. Errors are logged at warn. An `onEvent` that throws is logged and does not stop anything.
 */
export function startInformer<T extends KubernetesObject>(config: {
  kubeConfig: KubeAccess;
  apiVersion: string;
  kind: string;
  /** The resource's plural name; found through discovery when absent. */
  plural?: string;
  /** Watch one namespace; all of them (or a cluster-scoped kind) when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  onEvent: (type: InformerEventType, object: T) => void;
  /**
   * Applied to every object before it is cached or handed on, e.g. to drop `managedFields`,
   * which no controller reads and which are often the largest part of an object.
   */
  transform?: (object: T) => T;
  log: Logger;
  options?: InformerOptions;
}): Informer<T> {
  const { kubeConfig, apiVersion, kind, labelSelector, fieldSelector } = config;
  const options = {
    watchTimeoutSeconds: 300,
    watchdogGraceMs: 30_000,
    relistIntervalMs: 600_000,
    backoffInitialMs: 500,
    backoffMaxMs: 30_000,
    pageSize: 500,
    ...config.options,
  };
  const log = config.log.child({ component: 'informer', kind, namespace: config.namespace });
  const transform = config.transform ?? ((object: T) => object);
  const store = createObjectStore<T>();
  const backoff = createBackoff({ initialMs: options.backoffInitialMs, maxMs: options.backoffMaxMs });
  const stopping = new AbortController();
  const synced = Promise.withResolvers<void>();
  // Nobody may await `synced`; a rejection on stop must not crash the process as unhandled.
  synced.promise.catch(() => {});
  let hasSynced = false;
  let resourceVersion: string | undefined;
  let isRelistDue = false;
  let relistTimer: NodeJS.Timeout | undefined;
  let endCurrentWatch: (() => void) | undefined;

  const emit = (type: InformerEventType, object: T): void => {
    try {
      config.onEvent(type, object);
    } catch (err) {
      log.warn({ err, type, name: object.metadata?.name }, 'informer event handler failed');
    }
  };

  const pause = (ms: number) => delay(ms, undefined, { signal: stopping.signal }).catch(() => {});

  const scheduleRelist = (): void => {
    clearTimeout(relistTimer);
    relistTimer = setTimeout(
      () => {
        isRelistDue = true;
        endCurrentWatch?.();
      },
      jittered(options.relistIntervalMs, 0.2),
    );
  };

  const relist = async (path: string): Promise<string> => {
    const listed = await listAllPages<T>({
      kubeConfig,
      path,
      labelSelector,
      fieldSelector,
      pageSize: options.pageSize,
      signal: stopping.signal,
    });
    // List items carry no apiVersion and kind; watch events do. Handlers get the same shape from both.
    const events = store.replace(listed.items.map((item) => transform({ ...item, apiVersion, kind })));
    isRelistDue = false;
    scheduleRelist();
    log.debug({ objects: listed.items.length, changes: events.length }, 'listed');
    for (const event of events) emit(event.type, event.object);
    if (!hasSynced) {
      hasSynced = true;
      synced.resolve();
    }
    return listed.resourceVersion;
  };

  const onWatchEvent = (event: WatchEvent): void => {
    const received = event.object as T;
    resourceVersion = received.metadata?.resourceVersion ?? resourceVersion;
    if (event.type === 'BOOKMARK') return;
    const object = transform(received);
    const type = event.type === 'ADDED' ? 'added' : event.type === 'MODIFIED' ? 'modified' : 'deleted';
    store.apply(type, object);
    emit(type, object);
  };

  const watchOnce = async (path: string, fromResourceVersion: string): Promise<WatchEnd> => {
    // client-go's choice: between once and twice the minimum, so replicas do not reconnect in lockstep.
    const timeoutSeconds = Math.round(jittered(options.watchTimeoutSeconds, 1));
    const watch = startWatchWithWatchdog({
      kubeConfig,
      path,
      query: {
        resourceVersion: fromResourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        labelSelector,
        fieldSelector,
      },
      signal: stopping.signal,
      silenceLimitMs: timeoutSeconds * 1000 + options.watchdogGraceMs,
      onEvent: onWatchEvent,
    });
    endCurrentWatch = watch.end;
    try {
      return await watch.ended;
    } finally {
      endCurrentWatch = undefined;
    }
  };

  const run = async (): Promise<void> => {
    let path: string | undefined;
    while (!stopping.signal.aborted) {
      try {
        path ??= await resolveCollectionPath({
          kubeConfig,
          apiVersion,
          kind,
          plural: config.plural,
          namespace: config.namespace,
          signal: stopping.signal,
        });
        if (resourceVersion === undefined || isRelistDue) resourceVersion = await relist(path);
      } catch (err) {
        if (stopping.signal.aborted) return;
        log.warn({ err }, 'list failed; retrying');
        await pause(backoff.next());
        continue;
      }
      const ended = await watchOnce(path, resourceVersion);
      if (ended.isHealthy) backoff.reset();
      if (ended.by === 'stop') return;
      if (ended.by === 'ended') continue; // for a relist
      if (ended.by === 'watchdog') {
        // The connection was stuck, not the server: a new one can start at once.
        log.warn({ resourceVersion }, 'watch silent past its timeout; starting a new one');
        continue;
      }
      if (ended.by === 'server') {
        log.debug({ resourceVersion }, 'watch ended by the server; resuming');
        if (ended.isHealthy) continue;
        log.warn({ resourceVersion }, 'watch ended as soon as it started; retrying');
      } else if (isResourceVersionUnusable(ended.error)) {
        log.info({ err: ended.error, resourceVersion }, 'resource version no longer served; listing afresh');
        resourceVersion = undefined;
      } else {
        log.warn({ err: ended.error, resourceVersion }, 'watch failed; retrying');
      }
      await pause(backoff.next());
    }
  };

  const running = run().catch((err) => log.error({ err }, 'informer loop failed'));

  return {
    get: (namespace, name) => store.get(namespace, name),
    list: (namespace) => store.list(namespace),
    hasSynced: () => hasSynced,
    synced: synced.promise,
    async stop() {
      stopping.abort();
      clearTimeout(relistTimer);
      if (!hasSynced) synced.reject(new Error(`the ${kind} informer stopped before its first list`));
      await running;
    },
  };
}
