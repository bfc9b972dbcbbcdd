import type { KubernetesObject } from '@kubernetes/client-node';

export type InformerEventType = 'added' | 'modified' | 'deleted';

export interface ObjectStore<T extends KubernetesObject> {
  /** The object as last seen, if it exists (treat it as read-only: it is the cache's own copy). */
  get(namespace: string | undefined, name: string): T | undefined;
  /** Every object, or those in `namespace`. */
  list(namespace?: string): T[];
  /** Records one watch event. */
  apply(type: InformerEventType, object: T): void;
  /**
   * Replaces the whole content with a fresh list and returns the events that turn what we had
   * into it: added, modified (resourceVersion changed), and deleted (with the last state we saw).
   */
  replace(objects: T[]): Array<{ type: InformerEventType; object: T }>;
}

/** The informer's cache of objects, keyed by namespace and name. */
export function createObjectStore<T extends KubernetesObject>(): ObjectStore<T> {
  let objects = new Map<string, T>();
  return {
    get: (namespace, name) => objects.get(keyOf(namespace, name)),
    list: (namespace) =>
      [...objects.values()].filter((object) => namespace === undefined || object.metadata?.namespace === namespace),
    apply(type, object) {
      const key = keyOf(object.metadata?.namespace, object.metadata?.name);
      if (type === 'deleted') objects.delete(key);
      else objects.set(key, object);
    },
    replace(listed) {
      const next = new Map(listed.map((object) => [keyOf(object.metadata?.namespace, object.metadata?.name), object]));
      const events: Array<{ type: InformerEventType; object: T }> = [];
      for (const [key, object] of next) {
        const known = objects.get(key);
        if (!known) events.push({ type: 'added', object });
        else if (known.metadata?.resourceVersion !== object.metadata?.resourceVersion) {
          events.push({ type: 'modified', object });
        }
      }
      for (const [key, object] of objects) if (!next.has(key)) events.push({ type: 'deleted', object });
      objects = next;
      return events;
    },
  };
}

function keyOf(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}
