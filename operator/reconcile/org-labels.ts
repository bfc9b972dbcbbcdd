import { orgLabel, runtimeName } from '../../crds/org-runtime-names.ts';

/** The field manager of every server-side apply the operator makes. */
export const operatorFieldManager = 'astromesh-operator';

/** On every object the operator writes: its informers watch exactly these. */
export const managedByLabel = { 'app.kubernetes.io/managed-by': operatorFieldManager } as const;
export const managedBySelector = `app.kubernetes.io/managed-by=${operatorFieldManager}`;

/** Selects an org's runtime pods (Deployment, Service, NetworkPolicy). */
export const runtimePodLabels = (orgSlug: string) => ({
  'app.kubernetes.io/name': runtimeName,
  'app.kubernetes.io/component': 'runtime',
  [orgLabel]: orgSlug,
});

/** The labels of an object the operator writes for an org. */
export const orgObjectLabels = (orgSlug: string) => ({
  'app.kubernetes.io/part-of': 'astromesh-cloud',
  ...managedByLabel,
  [orgLabel]: orgSlug,
});
