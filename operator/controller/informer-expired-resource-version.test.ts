import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { startInformer } from './informer.ts';
import { aCapturingLogger } from './test-support/capturing-logger.ts';

// A real API server compacts history only every few minutes, so an expired resourceVersion cannot
// be provoked on demand there. This fake speaks the same wire format for one collection: scripted
// list answers, and scripted watches.
type WatchScript = (response: ServerResponse) => void;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function aConfigMap(name: string, resourceVersion: string): V1ConfigMap {
  return { metadata: { name, namespace: 'team-a', resourceVersion } };
}

async function startFakeApiserver(script: {
  lists: Array<{ resourceVersion: string; items: V1ConfigMap[] }>;
  watches: WatchScript[];
}) {
  const watchedFrom: string[] = [];
  let listCalls = 0;
  let watchCalls = 0;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (url.pathname !== '/api/v1/namespaces/team-a/configmaps') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","code":404}');
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      watchedFrom.push(url.searchParams.get('resourceVersion') ?? '');
      const watch = script.watches[Math.min(watchCalls++, script.watches.length - 1)];
      watch?.(response);
      return;
    }
    const list = script.lists[Math.min(listCalls++, script.lists.length - 1)];
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: { resourceVersion: list?.resourceVersion },
        items: list?.items,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser(
    { name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
    { name: 'operator', token: 'fake-token' },
  );
  return { kubeConfig, watchedFrom };
}

const expired = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  reason: 'Expired',
  code: 410,
  message: 'too old resource version: 10 (15)',
};
const watchStaysOpen: WatchScript = (response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.flushHeaders();
};

describe('startInformer when its resource version expires', () => {
  const cases: Array<[string, WatchScript]> = [
    [
      'an ERROR event with status 410',
      (response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`${JSON.stringify({ type: 'ERROR', object: expired })}\n`);
      },
    ],
    [
      'a 410 Gone answer to the watch request',
      (response) => {
        response.writeHead(410, { 'content-type': 'application/json' }).end(JSON.stringify(expired));
      },
    ],
  ];

  for (const [answer, expiredWatch] of cases) {
    it(`lists afresh after ${answer} and reports the differences, deletions included`, async () => {
      const { kubeConfig, watchedFrom } = await startFakeApiserver({
        lists: [
          {
            resourceVersion: '10',
            items: [aConfigMap('changed', '1'), aConfigMap('removed', '2'), aConfigMap('same', '3')],
          },
          {
            resourceVersion: '20',
            items: [aConfigMap('changed', '15'), aConfigMap('same', '3'), aConfigMap('new', '16')],
          },
        ],
        watches: [expiredWatch, watchStaysOpen],
      });
      const events: string[] = [];
      const informer = startInformer<V1ConfigMap>({
        kubeConfig,
        apiVersion: 'v1',
        kind: 'ConfigMap',
        plural: 'configmaps',
        namespace: 'team-a',
        onEvent: (type, object) => events.push(`${type} ${object.metadata?.name}@${object.metadata?.resourceVersion}`),
        log: aCapturingLogger().log,
        options: { backoffInitialMs: 20 },
      });
      cleanups.push(() => informer.stop());

      await eventually(() => expect(watchedFrom).toEqual(['10', '20']));

      expect(events).toEqual([
        'added changed@1',
        'added removed@2',
        'added same@3',
        'modified changed@15',
        'added new@16',
        'deleted removed@2',
      ]);
      expect(informer.list().map((c) => c.metadata?.name)).toEqual(['changed', 'same', 'new']);
    });
  }

  it('keeps retrying a watch that fails for another reason, from the same resource version', async () => {
    const unavailable: WatchScript = (response) => {
      response
        .writeHead(503, { 'content-type': 'application/json' })
        .end('{"kind":"Status","code":503,"message":"etcd is unavailable"}');
    };
    const { kubeConfig, watchedFrom } = await startFakeApiserver({
      lists: [{ resourceVersion: '10', items: [aConfigMap('kept', '1')] }],
      watches: [unavailable, unavailable, unavailable, watchStaysOpen],
    });
    const logger = aCapturingLogger();
    const informer = startInformer<V1ConfigMap>({
      kubeConfig,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      namespace: 'team-a',
      onEvent: () => {},
      log: logger.log,
      options: { backoffInitialMs: 20 },
    });
    cleanups.push(() => informer.stop());

    await eventually(() => expect(watchedFrom).toEqual(['10', '10', '10', '10']));

    expect(logger.messages().filter((msg) => msg === 'watch failed; retrying')).toHaveLength(3);
    expect(logger.messages().filter((msg) => msg === 'listed')).toHaveLength(1);
  });
});
