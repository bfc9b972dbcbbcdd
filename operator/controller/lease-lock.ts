import type { KubeAccess } from '../kube/kube-access.ts';
import { createKubeClient, isConflict, isNotFound } from '../kube/kube-client.ts';

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
  /** Closes the lock's connections. */
  close(): void;
}

/**
 * One `coordination.k8s.io/v1` Lease used as a lock, with optimistic concurrency: every write
 * names the resourceVersion it read, so of two candidates writing at once exactly one wins.
 * Every call takes a signal so a hung connection cannot outlast the caller's deadline.
 */
export function createLeaseLock(options: { kubeConfig: KubeAccess; namespace: string; name: string }): LeaseLock {
  const { namespace, name } = options;
  const kube = createKubeClient(options.kubeConfig);
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const lease = (record: LeaderRecord, resourceVersion?: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, resourceVersion },
    spec: toSpec(record),
  });
  return {
    async get(signal) {
      try {
        const lease = await kube.call<LeaseObject>({ method: 'GET', path: `${path}/${name}`, signal });
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
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(record, signal) {
      try {
        await kube.call({ method: 'POST', path, body: lease(record), signal });
        return true;
      } catch (err) {
        if (isConflict(err)) return false;
        throw err;
      }
    },
    async update(resourceVersion, record, signal) {
      try {
        await kube.call({ method: 'PUT', path: `${path}/${name}`, body: lease(record, resourceVersion), signal });
        return true;
      } catch (err) {
        if (isConflict(err)) return false;
        throw err;
      }
    },
    close: () => kube.close(),
  };
}

interface LeaseObject {
  metadata?: { resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

function toSpec(record: LeaderRecord) {
  return {
    // A released lease names nobody: the field is left out.
    holderIdentity: record.holderIdentity || undefined,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: microTime(record.acquireTime),
    renewTime: microTime(record.renewTime),
    leaseTransitions: record.leaseTransitions,
  };
}

/** A Lease's times are MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function dateOf(time: string | undefined): Date {
  return time === undefined ? new Date(0) : new Date(time);
}
