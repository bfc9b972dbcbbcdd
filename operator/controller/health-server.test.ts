import { afterEach, describe, expect, it } from 'vitest';
import { createControllerMetrics } from './controller-metrics.ts';
import { createHealthServer, type Readiness } from './health-server.ts';
import { aCapturingLogger } from './test-support/capturing-logger.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startHealthServer(ready: () => Readiness) {
  const metrics = createControllerMetrics({ queueDepth: () => 3, isLeader: () => true });
  const listening = await createHealthServer({ ready, metrics, log: aCapturingLogger().log }).listen({
    host: '127.0.0.1',
    port: 0,
  });
  cleanups.push(() => listening.close());
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(`http://127.0.0.1:${listening.port}${path}`, init);
    return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
  };
  return { get };
}

describe('createHealthServer', () => {
  it('answers /healthz with 200 while the process runs, ready or not', async () => {
    const server = await startHealthServer(() => ({ ready: false, reason: 'informers not synced' }));

    expect(await server.get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('answers /readyz with 200 once ready and 503 with the reason before', async () => {
    let readiness: Readiness = { ready: false, reason: 'informers not synced' };
    const server = await startHealthServer(() => readiness);

    const before = await server.get('/readyz');
    readiness = { ready: true };
    const after = await server.get('/readyz');

    expect(before).toMatchObject({ status: 503, body: 'not ready: informers not synced\n' });
    expect(after).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('serves the operator metrics at /metrics in the Prometheus text format', async () => {
    const server = await startHealthServer(() => ({ ready: true }));

    const metrics = await server.get('/metrics');

    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toContain('text/plain');
    expect(metrics.body).toContain('astromesh_operator_queue_depth 3');
    expect(metrics.body).toContain('astromesh_operator_is_leader 1');
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    const server = await startHealthServer(() => ({ ready: true }));

    expect((await server.get('/admin')).status).toBe(404);
    expect((await server.get('/healthz', { method: 'POST' })).status).toBe(405);
  });

  it('answers a request target no URL parser takes (//) with 404, and keeps serving', async () => {
    const server = await startHealthServer(() => ({ ready: true }));

    expect((await server.get('//')).status).toBe(404);
    expect(await server.get('/healthz?probe=1')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('answers 500 when readiness cannot be determined, and keeps serving', async () => {
    const server = await startHealthServer(() => {
      throw new Error('informer gone');
    });

    expect((await server.get('/readyz')).status).toBe(500);
    expect((await server.get('/healthz')).status).toBe(200);
  });
});
