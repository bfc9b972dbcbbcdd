/**
 * The names the Cloud API's Kubernetes backend and the operator agree on for one org's
 * namespace: the API writes the namespace, the credentials Secret and the CloudAgents; the
 * operator writes everything else in it (see operator/README.md).
 */

/** `astromesh-org-<slug>`: at most 54 characters, as org slugs are at most 40. */
export const orgNamespaceOf = (orgSlug: string): string => `astromesh-org-${orgSlug}`;

/** Label on every org namespace and on what the operator writes in it. */
export const orgLabel = 'astromesh.io/org';

/**
 * The org's runtime Secret, written by the API: keys `credentials.yaml` (provider credentials
 * as a `NAME: value` map), `runtime-token` (the bearer token the runtime requires) and, when
 * the org has durable memory, `memory-url` (a PostgreSQL URL with the org's own role).
 */
export const orgSecretName = 'astromesh-org-runtime';
export const orgSecretKeys = {
  credentials: 'credentials.yaml',
  runtimeToken: 'runtime-token',
  memoryUrl: 'memory-url',
} as const;

/**
 * Annotations the API writes on the org Secret (its RBAC may patch that one object per org) to
 * put an idle org to sleep: `sleeping: "true"` makes the operator scale the runtime to zero while
 * every CloudAgent stays Ready with reason `Sleeping`; removing it wakes the org. `last-active` is
 * when some API replica last served a call of the org (ISO 8601), so a replica that sees no
 * traffic never puts to sleep an org another replica serves.
 */
export const orgSleepAnnotations = {
  sleeping: 'astromesh.io/sleeping',
  lastActive: 'astromesh.io/last-active',
} as const;

/** The runtime's Deployment and Service, both in the org namespace. */
export const runtimeName = 'astromesh-runtime';
export const runtimePort = 8000;

/** The PostgreSQL schema (and role) that holds one org's conversation memory. */
export const memorySchemaOf = (orgSlug: string): string => `astromesh_org_${orgSlug.replaceAll('-', '_')}`;
