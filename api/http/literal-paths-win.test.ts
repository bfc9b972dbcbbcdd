import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { literalPathsWin } from './literal-paths-win.ts';

describe('literalPathsWin', () => {
  const servers: { close(): void }[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  /** GET /orgs/me and PATCH /orgs/:slug, as the API has them; answers name the handler. */
  async function anApp(): Promise<string> {
    const router = new Router({ prefix: '/api/v1' });
    router.get('/orgs/me', (ctx) => {
      ctx.body = 'me';
    });
    router.patch('/orgs/:slug', (ctx) => {
      ctx.body = `org ${ctx.params.slug}`;
    });
    router.post('/orgs/:slug/agents/compile', (ctx) => {
      ctx.body = `compile in ${ctx.params.slug}`;
    });
    router.get('/orgs/:slug/agents/:name', (ctx) => {
      ctx.body = `agent ${ctx.params.name}`;
    });
    const app = new Koa();
    app.use(literalPathsWin(router));
    app.use(router.routes());
    app.use(router.allowedMethods());
    const server = app.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  }

  it('answers another method on the literal path with 405 and only its methods in Allow', async () => {
    const url = await anApp();

    const patch = await fetch(`${url}/orgs/me`, { method: 'PATCH' });
    const options = await fetch(`${url}/orgs/me`, { method: 'OPTIONS' });

    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('HEAD, GET');
    expect(options.status).toBe(200);
    expect(options.headers.get('allow')).toBe('HEAD, GET');
  });

  it('lets the route with more literal segments win among parameter routes too', async () => {
    const url = await anApp();

    const options = await fetch(`${url}/orgs/acme/agents/compile`, { method: 'OPTIONS' });
    const get = await fetch(`${url}/orgs/acme/agents/compile`);
    const compile = await fetch(`${url}/orgs/acme/agents/compile`, { method: 'POST' });
    const agent = await fetch(`${url}/orgs/acme/agents/support-bot`);

    expect(options.headers.get('allow')).toBe('POST');
    expect(get.status).toBe(405);
    expect(await compile.text()).toBe('compile in acme');
    expect(await agent.text()).toBe('agent support-bot');
  });

  it('leaves the literal route and the parameter route on other paths as they were', async () => {
    const url = await anApp();

    const me = await fetch(`${url}/orgs/me`);
    const org = await fetch(`${url}/orgs/acme`, { method: 'PATCH' });

    expect(await me.text()).toBe('me');
    expect(await org.text()).toBe('org acme');
  });
});
