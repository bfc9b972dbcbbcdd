import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { KubeAccess } from '../kube/kube-access.ts';
import { isResourceVersionUnusable } from './kube-api-error.ts';
import { getKubeJson } from './kube-request.ts';

/**
 * Lists a whole collection in pages of `pageSize` (so a large collection never arrives as one
 * huge response) and returns its items with the list's resourceVersion, the point to watch from.
 * If a continue token expires mid-way, lists again in one request, as client-go's pager does.
 */
export async function listAllPages<T extends KubernetesObject>(request: {
  kubeConfig: KubeAccess;
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  pageSize: number;
  signal?: AbortSignal;
}): Promise<{ items: T[]; resourceVersion: string }> {
  const { kubeConfig, path, labelSelector, fieldSelector, signal } = request;
  const listPage = (query: { limit?: number; continue?: string }) =>
    getKubeJson<KubernetesListObject<T> & { metadata?: { continue?: string } }>({
      kubeConfig,
      path,
      query: { ...query, labelSelector, fieldSelector },
      signal,
    });

  const items: T[] = [];
  let continueToken: string | undefined;
  for (;;) {
    let page: Awaited<ReturnType<typeof listPage>>;
    try {
      page = await listPage({ limit: request.pageSize, continue: continueToken });
    } catch (err) {
      if (continueToken === undefined || !isResourceVersionUnusable(err)) throw err;
      const whole = await listPage({});
      return { items: whole.items, resourceVersion: whole.metadata?.resourceVersion ?? '' };
    }
    items.push(...page.items);
    continueToken = page.metadata?.continue || undefined;
    if (continueToken === undefined) return { items, resourceVersion: page.metadata?.resourceVersion ?? '' };
  }
}
