import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createObjectStore } from './object-store.ts';

function aConfigMap(name: string, resourceVersion: string, namespace = 'team-a'): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, resourceVersion } };
}

describe('createObjectStore', () => {
  it('keeps what watch events say, by namespace and name', () => {
    const store = createObjectStore<V1ConfigMap>();

    store.apply('added', aConfigMap('a', '1'));
    store.apply('added', aConfigMap('a', '2', 'team-b'));
    store.apply('modified', aConfigMap('a', '3'));
    store.apply('added', aConfigMap('gone', '4'));
    store.apply('deleted', aConfigMap('gone', '5'));

    expect(store.get('team-a', 'a')?.metadata?.resourceVersion).toBe('3');
    expect(store.get('team-a', 'gone')).toBeUndefined();
    expect(store.list('team-b').map((c) => c.metadata?.resourceVersion)).toEqual(['2']);
    expect(store.list()).toHaveLength(2);
  });

  it('turns a fresh list into added, modified and deleted events, with the last state of a deleted object', () => {
    const store = createObjectStore<V1ConfigMap>();
    store.replace([aConfigMap('same', '1'), aConfigMap('changed', '2'), aConfigMap('removed', '3')]);

    const events = store.replace([aConfigMap('same', '1'), aConfigMap('changed', '7'), aConfigMap('new', '8')]);

    expect(events.map((e) => [e.type, e.object.metadata?.name, e.object.metadata?.resourceVersion])).toEqual([
      ['modified', 'changed', '7'],
      ['added', 'new', '8'],
      ['deleted', 'removed', '3'],
    ]);
    expect(store.list().map((c) => c.metadata?.name)).toEqual(['same', 'changed', 'new']);
  });

  it('keys cluster-scoped objects by name alone', () => {
    const store = createObjectStore<V1ConfigMap>();

    store.apply('added', { metadata: { name: 'astromesh-org-acme', resourceVersion: '1' } });

    expect(store.get(undefined, 'astromesh-org-acme')).toBeDefined();
  });
});
