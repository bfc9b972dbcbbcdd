import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from './kube-client.ts';
import { pathOf } from './object-path.ts';

interface Applied {
  digest: string;
  resourceVersion: string;
  live: KubernetesObject;
}

/**
 * A kube client whose server-side applies are skipped when they would change nothing: the same
 * object was applied before by the same field manager, and the informer's cache still holds the
 * resourceVersion that apply returned, so nobody has written the object since (a change by hand,
 * a deletion, a Deployment's status moving on all change it, and the next apply goes out). The
 * answer is then the object that apply returned, which is still the live one. Each reconcile of
 * an org re-applies its whole bundle, so a repeated or periodic reconcile of a settled org
 * otherwise costs the API server a write per object. Only kinds `cachedVersionOf` knows are
 * skipped (it returns `null` for the others).
 */
export function skipUnchangedApplies(deps: {
  kube: KubeClient;
  /** The resourceVersion the informer holds for the object, `undefined` if none, `null` if the kind is not cached. */
  cachedVersionOf: (object: KubernetesObject) => string | undefined | null;
}): { kube: KubeClient; forget(object: KubernetesObject): void; readonly remembered: number } {
  const { kube, cachedVersionOf } = deps;
  const applied = new Map<string, Applied>();

  const apply = async <T extends KubernetesObject>(input: Parameters<KubeClient['apply']>[0] & { object: T }) => {
    const cached = input.dryRun ? null : cachedVersionOf(input.object);
    if (cached === null) return kube.apply<T>(input);
    const digest = createHash('sha256')
      .update(`${input.fieldManager}\0${JSON.stringify(input.object)}`)
      .digest('base64');
    const known = applied.get(input.path);
    if (known && known.digest === digest && cached === known.resourceVersion) return known.live as T;
    const live = await kube.apply<T>(input);
    const resourceVersion = live.metadata?.resourceVersion;
    if (resourceVersion) {
      // managedFields are no reconcile's business and often the largest part of the object.
      const { managedFields: _dropped, ...metadata } = live.metadata ?? {};
      applied.set(input.path, { digest, resourceVersion, live: { ...live, metadata } });
    }
    return live;
  };

  return {
    kube: { ...kube, apply },
    /** Drops what is remembered of `object` (it was deleted): what is remembered stays bounded by what exists. */
    forget: (object) => applied.delete(pathOf(object)),
    get remembered() {
      return applied.size;
    },
  };
}
