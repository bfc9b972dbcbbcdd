import { describe, expect, it } from 'vitest';
import { credentialsFrom, runTool } from '../test-support/a-tool-context.ts';
import { replyJson, startFakeHttpServer } from '../test-support/start-fake-http-server.ts';
import { webSearch } from './web-search.ts';

const withKey = credentialsFrom({ SEARCH_API_KEY: 'test-key' });

function aSearchConfig(baseUrl: string, provider: string) {
  return { provider, base_url: baseUrl, allow_localhost: true };
}

describe('web_search', () => {
  it('searches with Tavily and normalises the results', async () => {
    const tavily = await startFakeHttpServer((_, response) =>
      replyJson(response, 200, { results: [{ title: 'Astromesh', url: 'https://astromesh.dev', content: 'Agents' }] }),
    );

    const result = await runTool(
      webSearch,
      { query: 'astromesh' },
      { config: aSearchConfig(tavily.url, 'tavily'), credentials: withKey },
    );

    expect(result).toEqual({
      query: 'astromesh',
      provider: 'tavily',
      results: [{ title: 'Astromesh', url: 'https://astromesh.dev', snippet: 'Agents' }],
    });
  });

  it('sends Tavily the key as a bearer token and max_results in the body', async () => {
    const tavily = await startFakeHttpServer((_, response) => replyJson(response, 200, { results: [] }));

    await runTool(
      webSearch,
      { query: 'astromesh', max_results: 3 },
      { config: aSearchConfig(tavily.url, 'tavily'), credentials: withKey },
    );

    expect(tavily.requests[0]).toMatchObject({
      method: 'POST',
      url: '/search',
      headers: { authorization: 'Bearer test-key' },
      body: JSON.stringify({ query: 'astromesh', max_results: 3 }),
    });
  });

  it('searches with Brave using its subscription token header', async () => {
    const brave = await startFakeHttpServer((_, response) =>
      replyJson(response, 200, { web: { results: [{ title: 'T', url: 'https://t.example', description: 'D' }] } }),
    );

    const result = await runTool(
      webSearch,
      { query: 'kube operators', max_results: 2 },
      { config: aSearchConfig(brave.url, 'brave'), credentials: withKey },
    );

    expect(result).toMatchObject({ results: [{ title: 'T', url: 'https://t.example', snippet: 'D' }] });
    expect(brave.requests[0]).toMatchObject({
      url: '/res/v1/web/search?q=kube+operators&count=2',
      headers: { 'x-subscription-token': 'test-key' },
    });
  });

  it('searches a SearXNG instance without a key', async () => {
    const searxng = await startFakeHttpServer((_, response) =>
      replyJson(response, 200, { results: [{ title: 'S', url: 'https://s.example', content: 'C' }] }),
    );

    const result = await runTool(webSearch, { query: 'q' }, { config: aSearchConfig(searxng.url, 'searxng') });

    expect(result).toMatchObject({ results: [{ title: 'S', url: 'https://s.example', snippet: 'C' }] });
    expect(searxng.requests[0]?.url).toBe('/search?q=q&format=json');
  });

  it('returns at most max_results results', async () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ title: `r${i}`, url: `https://r${i}.example`, content: '' }));
    const searxng = await startFakeHttpServer((_, response) => replyJson(response, 200, { results: many }));

    const result = await runTool(
      webSearch,
      { query: 'q', max_results: 2 },
      { config: aSearchConfig(searxng.url, 'searxng') },
    );

    expect((result as { results: unknown[] }).results).toHaveLength(2);
  });

  it('is not configured without SEARCH_API_KEY, and says so', async () => {
    const running = runTool(webSearch, { query: 'q' }, { config: { provider: 'tavily' } });

    await expect(running).rejects.toMatchObject({
      code: 'not_configured',
      message: 'web_search is not configured: the tavily provider needs the SEARCH_API_KEY credential',
    });
  });

  it('is not configured for searxng without base_url', async () => {
    const running = runTool(webSearch, { query: 'q' }, { config: { provider: 'searxng' } });

    await expect(running).rejects.toMatchObject({ code: 'not_configured', message: expect.stringMatching(/base_url/) });
  });

  it('reports a rejected key as not_configured', async () => {
    const brave = await startFakeHttpServer((_, response) => replyJson(response, 401, { error: 'bad token' }));

    const running = runTool(
      webSearch,
      { query: 'q' },
      { config: aSearchConfig(brave.url, 'brave'), credentials: withKey },
    );

    await expect(running).rejects.toMatchObject({ code: 'not_configured', message: expect.stringMatching(/HTTP 401/) });
  });

  it('fails when the provider answers with a server error', async () => {
    const tavily = await startFakeHttpServer((_, response) => replyJson(response, 500, {}));

    const running = runTool(
      webSearch,
      { query: 'q' },
      { config: aSearchConfig(tavily.url, 'tavily'), credentials: withKey },
    );

    await expect(running).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/HTTP 500/) });
  });

  it('refuses a loopback base_url without allow_localhost', async () => {
    const searxng = await startFakeHttpServer();

    const running = runTool(webSearch, { query: 'q' }, { config: { provider: 'searxng', base_url: searxng.url } });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });
});
