import {
  ApiException,
  type ConfigurationOptions,
  CoordinationV1Api,
  type KubeConfig,
  Observable,
  type RequestContext,
  type ResponseContext,
  V1MicroTime,
} from '@kubernetes/client-node';

/** Who holds a Lease and until when, as client-go's LeaderElectionRecord. */
export interface LeaderRecord {
  /** Empty when nobody holds the lease (it was released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: Date;
  renewTime: Date;
  leaseTransitions: number;
}

export interface LeaseLock {
  /** The current record and the resourceVersion to update it from; `undefined` if the Lease does not exist. */
  get(signal: AbortSignal): Promise<{ record: LeaderRecord; resourceVersion: string } | undefined>;
  /** Creates the Lease; false if someone else created it first. */
  create(record: LeaderRecord, signal: AbortSignal): Promise<boolean>;
  /** Replaces the record if the Lease is still at `resourceVersion`; false if someone else changed it first. */
  update(resourceVersion: string, record: LeaderRecord, signal: AbortSignal): Promise<boolean>;
}

/**
 * One `coordination.k8s.io/v1` Lease used as a lock, with optimistic concurrency: every write
 * names the resourceVersion it read, so of two candidates writing at once exactly one wins.
 * Every call takes a signal so a hung connection cannot outlast the caller's deadline.
 */
export function createLeaseLock(options: { kubeConfig: KubeConfig; namespace: string; name: string }): LeaseLock {
  const { namespace, name } = options;
  const api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  return {
    async get(signal) {
      try {
        const lease = await api.readNamespacedLease({ namespace, name }, abortableBy(signal));
        const spec = lease.spec ?? {};
        return {
          resourceVersion: lease.metadata?.resourceVersion ?? '',
          record: {
            holderIdentity: spec.holderIdentity ?? '',
            leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
            acquireTime: dateOf(spec.acquireTime),
            renewTime: dateOf(spec.renewTime),
            leaseTransitions: spec.leaseTransitions ?? 0,
          },
        };
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return undefined;
        throw err;
      }
    },
    async create(record, signal) {
      try {
        await api.createNamespacedLease(
          { namespace, body: { metadata: { name }, spec: toSpec(record) } },
          abortableBy(signal),
        );
        return true;
      } catch (err) {
        if (err instanceof ApiException && err.code === 409) return false;
        throw err;
      }
    },
    async update(resourceVersion, record, signal) {
      try {
        await api.replaceNamespacedLease(
          { namespace, name, body: { metadata: { name, resourceVersion }, spec: toSpec(record) } },
          abortableBy(signal),
        );
        return true;
      } catch (err) {
        if (err instanceof ApiException && err.code === 409) return false;
        throw err;
      }
    },
  };
}

function toSpec(record: LeaderRecord) {
  return {
    // A released lease names nobody; leaving the field out is how client-node writes that.
    holderIdentity: record.holderIdentity || undefined,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: new V1MicroTime(record.acquireTime),
    renewTime: new V1MicroTime(record.renewTime),
    leaseTransitions: record.leaseTransitions,
  };
}

// Typed as V1MicroTime, but client-node leaves MicroTime fields as the server's strings when reading.
function dateOf(time: Date | string | undefined): Date {
  return time === undefined ? new Date(0) : new Date(time);
}

// client-node's typed calls take no AbortSignal, but a middleware may put one on the request.
function abortableBy(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context: RequestContext) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}
