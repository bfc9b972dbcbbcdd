import { type CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { orgNamespaceOf, orgSecretName, orgSleepAnnotations } from '../../../crds/org-runtime-names.ts';
import { kubeStatusOf } from './kube-api-errors.ts';
import { retryThrottled } from './retry-throttled.ts';

// endpointOf asks on every call whether the org sleeps: a second-old answer is fresh enough, as a
// call that meets a runtime going to sleep is retried (retryUntilRouted) and asks again.
const markCacheMs = 1_000;
/** Who writes the marks: apart from the API's server-side apply of the Secret, which leaves them be. */
const sleepFieldManager = 'astromesh-cloud-api-sleep';

/**
 * The sleep marks of each org, as annotations on its runtime Secret (see `orgSleepAnnotations`):
 * the one object of an org namespace the API's RBAC lets it patch, and one the operator watches.
 * All API replicas share them, so whether an org is idle is decided across replicas.
 */
export function createOrgSleepMarks(deps: { core: CoreV1Api }) {
  const { core } = deps;
  const cached = new Map<string, { readAtMs: number; isAsleep: Promise<boolean> }>();
  const target = (orgSlug: string) => ({ name: orgSecretName, namespace: orgNamespaceOf(orgSlug) });

  const mergePatch = (orgSlug: string, metadata: Record<string, unknown>) =>
    retryThrottled(() =>
      core.patchNamespacedSecret(
        { ...target(orgSlug), body: { metadata }, fieldManager: sleepFieldManager },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );

  function remember(orgSlug: string, isAsleep: boolean): void {
    cached.set(orgSlug, { readAtMs: Date.now(), isAsleep: Promise.resolve(isAsleep) });
  }

  return {
    /** Whether the org sleeps; false while it has no Secret (nothing was deployed). */
    isAsleep(orgSlug: string): Promise<boolean> {
      const known = cached.get(orgSlug);
      if (known && Date.now() - known.readAtMs < markCacheMs) return known.isAsleep;
      const isAsleep = retryThrottled(() => core.readNamespacedSecret(target(orgSlug))).then(
        (secret) => secret.metadata?.annotations?.[orgSleepAnnotations.sleeping] === 'true',
        (err: unknown) => {
          if (kubeStatusOf(err) === 404) return false;
          throw err;
        },
      );
      cached.set(orgSlug, { readAtMs: Date.now(), isAsleep });
      // A failed read is not cached: the next call asks again.
      isAsleep.catch(() => cached.delete(orgSlug));
      return isAsleep;
    },

    /**
     * Marks the org asleep unless some replica saw it called after `idleSince`. The patch names the
     * resourceVersion read, so a replica's activity written in between makes it fail (409), and the
     * org stays awake.
     */
    async markAsleepIfIdleSince(orgSlug: string, idleSince: Date): Promise<boolean> {
      let secret: Awaited<ReturnType<CoreV1Api['readNamespacedSecret']>>;
      try {
        secret = await retryThrottled(() => core.readNamespacedSecret(target(orgSlug)));
      } catch (err) {
        if (kubeStatusOf(err) === 404) return false;
        throw err;
      }
      const annotations = secret.metadata?.annotations ?? {};
      if (annotations[orgSleepAnnotations.sleeping] === 'true') {
        remember(orgSlug, true);
        return true;
      }
      const lastActive = Date.parse(annotations[orgSleepAnnotations.lastActive] ?? '');
      if (lastActive > idleSince.getTime()) return false;
      try {
        await mergePatch(orgSlug, {
          resourceVersion: secret.metadata?.resourceVersion,
          annotations: { [orgSleepAnnotations.sleeping]: 'true' },
        });
      } catch (err) {
        if (kubeStatusOf(err) === 409 || kubeStatusOf(err) === 404) return false;
        throw err;
      }
      remember(orgSlug, true);
      return true;
    },

    /** Takes the org's sleep mark away (the operator scales its runtime up again) and counts as activity. */
    async markAwake(orgSlug: string, at: Date): Promise<void> {
      await mergePatch(orgSlug, {
        annotations: { [orgSleepAnnotations.sleeping]: null, [orgSleepAnnotations.lastActive]: at.toISOString() },
      });
      remember(orgSlug, false);
    },

    async noteActive(orgSlug: string, at: Date): Promise<void> {
      try {
        await mergePatch(orgSlug, { annotations: { [orgSleepAnnotations.lastActive]: at.toISOString() } });
      } catch (err) {
        // No Secret: the org has nothing deployed, so nothing to keep awake.
        if (kubeStatusOf(err) !== 404) throw err;
      }
    },
  };
}
export type OrgSleepMarks = ReturnType<typeof createOrgSleepMarks>;
