import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalBackend } from '../../api/backends/local/create-local-backend.ts';
import { loadApiConfig } from '../../api/config/api-config.ts';
import { createApi } from '../../api/create-api.ts';
import { createDatabase } from '../../api/db/database.ts';
import { logRedaction } from '../../api/http/request-log.ts';
import { jsonOf } from '../support/json-of.ts';
import { type InProcessApi, startApiInProcess } from '../support/start-api-in-process.ts';
import { createTestDatabase } from '../support/test-database.ts';

describe('probes, metrics and request logs', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function anApi(): Promise<InProcessApi> {
    const api = await startApiInProcess();
    cleanups.push(() => api.stop());
    return api;
  }

  async function signIn(url: string) {
    const response = await fetch(`${url}/api/v1/auth/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com' }),
    });
    return jsonOf(response);
  }

  it('says the process is alive on /healthz, and that it does not check the database', async () => {
    const { url } = await anApi();

    const response = await fetch(`${url}/healthz`);

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({
      status: 'ok',
      checks: { process: 'ok' },
      not_checked: 'whether the database answers: see /readyz',
    });
  });

  it('stays alive on /healthz while the database is gone: a restart of the API would not bring it back', async () => {
    const api = await anApi();
    await api.database.drop();

    const response = await fetch(`${api.url}/healthz`);

    expect(response.status).toBe(200);
  });

  it('says it is ready on /readyz once the database answers and has every migration', async () => {
    const { url } = await anApi();

    const response = await fetch(`${url}/readyz`);

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({ status: 'ready' });
  });

  it('answers /readyz with 503 when the database is gone', async () => {
    const api = await anApi();
    await api.database.drop();

    const response = await fetch(`${api.url}/readyz`);

    expect(response.status).toBe(503);
    expect(await jsonOf(response)).toEqual({
      error: 'not_ready',
      message: 'the database does not answer',
      status: 503,
    });
  });

  it('answers /readyz with 503 on a database that was never migrated', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const stateDir = mkdtempSync(join(tmpdir(), 'astromesh-ops-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const log = pino({ level: 'silent' });
    const db = createDatabase(database.url, { log });
    cleanups.push(() => db.end());
    const config = loadApiConfig({
      DATABASE_URL: database.url,
      ASTROMESH_STATE_DIR: stateDir,
      ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
      ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
    });
    const backend = createLocalBackend({ stateDir, memoryUrl: undefined, log });
    const api = createApi({ config, db, backend, log, now: () => new Date() });
    // Before the pool ends: the API's background-run notices and schedule ticker hold connections.
    cleanups.push(() => api.close());
    const server = createServer(api.app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);

    expect(response.status).toBe(503);
    expect(await jsonOf(response)).toMatchObject({ error: 'not_ready', message: 'migrations not applied yet: all' });
  });

  it('counts requests on /metrics by method, route template and status, with their latency', async () => {
    const { url } = await anApi();
    await signIn(url);
    await fetch(`${url}/api/v1/orgs/acme/agents/bot`);

    const metrics = await (await fetch(`${url}/metrics`)).text();

    expect(metrics).toContain('http_requests_total{method="POST",route="/api/v1/auth/dev/login",status="200"} 1');
    expect(metrics).toContain(
      'http_requests_total{method="GET",route="/api/v1/orgs/{slug}/agents/{name}",status="401"} 1',
    );
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/auth\/dev\/login",status="200"\} 1/,
    );
  });

  it('counts runs, tokens, cost and run latency by org and agent once the execution side records them', async () => {
    const { url, server } = await anApi();

    server.api.metrics.recordRun({
      org: 'acme',
      agent: 'bot',
      kind: 'run',
      outcome: 'ok',
      tokensIn: 20,
      tokensOut: 10,
      costNanoUsd: 7_000,
      latencyMs: 800,
    });
    server.api.metrics.recordRun({
      org: 'acme',
      agent: 'bot',
      kind: 'stream',
      outcome: 'provider_error',
      tokensIn: 5,
      tokensOut: 0,
      costNanoUsd: null,
      latencyMs: 30,
    });
    const metrics = await (await fetch(`${url}/metrics`)).text();

    expect(metrics).toContain('astromesh_runs_total{org="acme",agent="bot",kind="run",outcome="ok"} 1');
    expect(metrics).toContain('astromesh_runs_total{org="acme",agent="bot",kind="stream",outcome="provider_error"} 1');
    expect(metrics).toContain('astromesh_tokens_total{org="acme",agent="bot",direction="in"} 25');
    expect(metrics).toContain('astromesh_tokens_total{org="acme",agent="bot",direction="out"} 10');
    expect(metrics).toContain('astromesh_cost_usd_total{org="acme",agent="bot"} 0.000007');
    expect(metrics).toContain('astromesh_unpriced_runs_total{org="acme",agent="bot"} 1');
    expect(metrics).toContain('astromesh_run_duration_seconds_count{org="acme",agent="bot",kind="stream"} 1');
  });

  it('logs one line per request with its id, method, route template, status and duration', async () => {
    const api = await anApi();

    const response = await fetch(`${api.url}/api/v1/orgs/acme/agents/bot?token=secret-in-query`);
    const lines = api
      .logs()
      .filter((log) => log.msg === 'request' && log.requestId === response.headers.get('x-request-id'));

    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        method: 'GET',
        route: '/api/v1/orgs/{slug}/agents/{name}',
        status: 401,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(api.logs())).not.toContain('secret-in-query');
  });

  it('never logs the credentials a request carried', async () => {
    const api = await anApi();
    const login = await signIn(api.url);

    await fetch(`${api.url}/api/v1/orgs/${login.org_slug}/agents`, {
      headers: { authorization: `Bearer ${login.access_token}`, 'x-api-key': 'ask-not-a-real-key' },
    });
    await fetch(`${api.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: login.refresh_token }),
    });
    const logged = JSON.stringify(api.logs());

    expect(logged).not.toContain(login.access_token);
    expect(logged).not.toContain(login.refresh_token);
    expect(logged).not.toContain('ask-not-a-real-key');
  });

  it('redacts secret fields wherever a log record holds them', () => {
    const lines: string[] = [];
    const log = pino({ redact: logRedaction }, { write: (line: string) => lines.push(line) });

    log.info(
      {
        authorization: 'Bearer top',
        req: { headers: { authorization: 'Bearer nested', 'x-api-key': 'ask-nested' } },
        body: { api_key: 'sk-body', refresh_token: 'rt-body', password: 'hunter2' },
        org: 'acme',
      },
      'something happened',
    );
    const record = JSON.parse(lines[0] as string);

    expect(record).toMatchObject({
      authorization: '[redacted]',
      req: { headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' } },
      body: { api_key: '[redacted]', refresh_token: '[redacted]', password: '[redacted]' },
      org: 'acme',
    });
  });
});
