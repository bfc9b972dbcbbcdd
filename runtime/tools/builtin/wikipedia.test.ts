import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { replyJson, startFakeHttpServer } from '../test-support/start-fake-http-server.ts';
import { wikipedia } from './wikipedia.ts';

function aSummary(overrides: Record<string, unknown> = {}) {
  return {
    type: 'standard',
    title: 'Alan Turing',
    description: 'English mathematician (1912–1954)',
    extract: 'Alan Mathison Turing was an English mathematician.',
    content_urls: { desktop: { page: 'https://en.wikipedia.org/wiki/Alan_Turing' } },
    ...overrides,
  };
}

function aWikipediaConfig(baseUrl: string) {
  return { base_url: baseUrl, allow_localhost: true };
}

describe('wikipedia', () => {
  it('returns the summary of an article', async () => {
    const wiki = await startFakeHttpServer((_, response) => replyJson(response, 200, aSummary()));

    const result = await runTool(wikipedia, { topic: 'Alan Turing' }, { config: aWikipediaConfig(wiki.url) });

    expect(result).toEqual({
      title: 'Alan Turing',
      description: 'English mathematician (1912–1954)',
      extract: 'Alan Mathison Turing was an English mathematician.',
      url: 'https://en.wikipedia.org/wiki/Alan_Turing',
      is_disambiguation: false,
    });
  });

  it('asks the REST summary endpoint for the title with underscores', async () => {
    const wiki = await startFakeHttpServer((_, response) => replyJson(response, 200, aSummary()));

    await runTool(wikipedia, { topic: 'Alan Turing' }, { config: aWikipediaConfig(wiki.url) });

    expect(wiki.requests[0]?.url).toBe('/api/rest_v1/page/summary/Alan_Turing');
  });

  it('puts the language into a base_url with a {language} placeholder', async () => {
    const wiki = await startFakeHttpServer((_, response) => replyJson(response, 200, aSummary()));

    await runTool(
      wikipedia,
      { topic: 'Paris', language: 'fr' },
      { config: aWikipediaConfig(`${wiki.url}/{language}`) },
    );

    expect(wiki.requests[0]?.url).toBe('/fr/api/rest_v1/page/summary/Paris');
  });

  it('flags a disambiguation page', async () => {
    const wiki = await startFakeHttpServer((_, response) =>
      replyJson(response, 200, aSummary({ type: 'disambiguation', title: 'Mercury' })),
    );

    const result = await runTool(wikipedia, { topic: 'Mercury' }, { config: aWikipediaConfig(wiki.url) });

    expect(result).toMatchObject({ title: 'Mercury', is_disambiguation: true });
  });

  it('fails with a clear message when there is no such article', async () => {
    const wiki = await startFakeHttpServer((_, response) => replyJson(response, 404, { type: 'not_found' }));

    const running = runTool(wikipedia, { topic: 'Qwxz' }, { config: aWikipediaConfig(wiki.url) });

    await expect(running).rejects.toMatchObject({ code: 'failed', message: "no 'en' Wikipedia article named 'Qwxz'" });
  });

  it('rejects a language code that is not one', () => {
    const parsed = wikipedia.inputSchema.safeParse({ topic: 'x', language: 'evil.com/' });

    expect(parsed.error?.issues[0]?.path).toEqual(['language']);
  });

  it('refuses a loopback mirror without allow_localhost', async () => {
    const wiki = await startFakeHttpServer();

    const running = runTool(wikipedia, { topic: 'x' }, { config: { base_url: wiki.url } });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });
});
