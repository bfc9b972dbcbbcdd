import { z } from 'zod';

/** What the test side tells the supervisor it starts inside the node's namespaces (one JSON file). */
export const NodeSupervisorConfig = z.object({
  /** Per-run folder on the machine's own disk: logs, the relay socket, what the test reads. */
  runDir: z.string(),
  runId: z.string(),
  nodeName: z.string(),
  /** Namespace inodes (`readlink /proc/self/ns/*`) of the test process: the supervisor refuses to run in them. */
  hostNamespaces: z.object({ pid: z.string(), net: z.string(), mnt: z.string() }),
  /** More /32 addresses on the node's interface, e.g. 169.254.169.254 for a fake metadata server. */
  extraAddresses: z.array(z.string()),
  binaries: z.object({
    etcd: z.string(),
    kubeApiserver: z.string(),
    kubeControllerManager: z.string(),
    kubeScheduler: z.string(),
    kubelet: z.string(),
    kubeProxy: z.string(),
    kubectl: z.string(),
    /** Absent: no NetworkPolicy engine runs (to show that policies then do not hold). */
    kubeRouter: z.string().optional(),
  }),
  /** Image archives imported before the kubelet starts; `pause` is the sandbox image. */
  images: z.object({
    pause: z.object({ reference: z.string(), archive: z.string() }),
    coredns: z.object({ reference: z.string(), archive: z.string() }),
  }),
});
export type NodeSupervisorConfig = z.infer<typeof NodeSupervisorConfig>;

/** One line the supervisor writes to its stdout for the test side. */
export const NodeSupervisorEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('progress'), message: z.string() }),
  z.object({ event: z.literal('ready') }),
  z.object({ event: z.literal('failed'), message: z.string() }),
]);
export type NodeSupervisorEvent = z.infer<typeof NodeSupervisorEvent>;
