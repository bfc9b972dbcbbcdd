import { z } from 'zod';

const Quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/, 'must be a Kubernetes quantity');
const Resources = z.strictObject({ cpu: Quantity, memory: Quantity });
const Labels = z.record(z.string().min(1).max(253), z.string().max(63));

/** Egress a runtime pod may have besides DNS and the public internet (e.g. an in-cluster Ollama). */
export const EgressAllowance = z.union([
  z.strictObject({ cidr: z.cidrv4().or(z.cidrv6()), port: z.number().int().min(1).max(65_535).optional() }),
  z.strictObject({
    namespace: z.string().min(1).max(63),
    podLabels: Labels.optional(),
    port: z.number().int().min(1).max(65_535).optional(),
  }),
]);
export type EgressAllowance = z.infer<typeof EgressAllowance>;

/**
 * What the operator writes into every org namespace, the same for all orgs: the runtime image
 * and its resources, the namespace's quota and defaults, and who may reach the runtime. Chart
 * values become these settings (flags and env of the operator binary).
 */
export const OrgRuntimeSettings = z.strictObject({
  image: z.string().min(1).max(512),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
  /** Runtime pods per org while it has a deployed agent (zero when it has none). */
  replicas: z.number().int().min(1).max(10).default(1),
  resources: z
    .strictObject({ requests: Resources, limits: Resources })
    .default({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } }),
  /**
   * Secrets (in the operator's own namespace) that let the runtime image be pulled from a private
   * registry: the operator copies each into every org namespace and names it on the runtime pods.
   */
  imagePullSecrets: z
    .array(
      z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Secret name')
        .max(253),
    )
    .max(8)
    .default([]),
  /**
   * The size limit of each runtime pod's data directory (`--data-dir`, an emptyDir): the sqlite
   * conversation memory and the embedded vector store. It lives as long as the pod; durable
   * conversation memory in the Cloud is the PostgreSQL backend. Past the limit the kubelet evicts the pod.
   */
  dataSizeLimit: Quantity.default('256Mi'),
  /** e.g. gvisor: a sandboxed container runtime for stronger isolation between orgs. */
  runtimeClassName: z.string().min(1).max(253).optional(),
  quota: z
    .strictObject({
      requestsCpu: Quantity,
      requestsMemory: Quantity,
      limitsCpu: Quantity,
      limitsMemory: Quantity,
      pods: z.number().int().min(1),
      cloudAgents: z.number().int().min(1),
    })
    .default({
      requestsCpu: '2',
      requestsMemory: '2Gi',
      limitsCpu: '4',
      limitsMemory: '4Gi',
      pods: 10,
      cloudAgents: 10,
    }),
  /** Where the Cloud API's pods run: only they may reach a runtime's port. */
  api: z
    .strictObject({ namespace: z.string().min(1).max(63), podLabels: Labels })
    .default({ namespace: 'astromesh-system', podLabels: { 'app.kubernetes.io/component': 'api' } }),
  egressAllow: z.array(EgressAllowance).max(32).default([]),
});
export type OrgRuntimeSettings = z.infer<typeof OrgRuntimeSettings>;
