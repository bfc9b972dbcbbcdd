import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { startFakeHttpServer } from '../test-support/start-fake-http-server.ts';
import { webScrape } from './web-scrape.ts';

const loopbackAllowed = { allow_localhost: true };

function aPage(body: string, title = 'Release notes &amp; more') {
  return `<!doctype html><html><head><title>${title}</title><style>p { color: red }</style>
    <script>alert("x")</script></head><body>${body}</body></html>`;
}

async function startSite(html: string, contentType = 'text/html; charset=utf-8') {
  return startFakeHttpServer((_, response) => response.writeHead(200, { 'content-type': contentType }).end(html));
}

describe('web_scrape', () => {
  it('returns the title and readable text of a page', async () => {
    const site = await startSite(aPage('<h1>Version 2</h1><p>Faster <a href="/x">tools</a>.</p>'));

    const result = await runTool(webScrape, { url: site.url }, { config: loopbackAllowed });

    expect(result).toEqual({
      url: `${site.url}/`,
      title: 'Release notes & more',
      content: 'VERSION 2\n\nFaster tools.',
      length: 24,
      truncated: false,
    });
  });

  it('leaves out scripts and styles', async () => {
    const site = await startSite(aPage('<p>Body text</p>'));

    const result = await runTool(webScrape, { url: site.url }, { config: loopbackAllowed });

    expect((result as { content: string }).content).not.toMatch(/alert|color/);
  });

  it('cuts the text at max_length and says so', async () => {
    const site = await startSite(aPage(`<p>${'word '.repeat(100)}</p>`));

    const result = await runTool(webScrape, { url: site.url, max_length: 100 }, { config: loopbackAllowed });

    expect(result).toMatchObject({ length: 100, truncated: true });
  });

  it('returns a plain text page as it is', async () => {
    const site = await startSite('just text', 'text/plain');

    const result = await runTool(webScrape, { url: site.url }, { config: loopbackAllowed });

    expect(result).toMatchObject({ content: 'just text', title: undefined });
  });

  it('fails on an error status', async () => {
    const site = await startFakeHttpServer((_, response) => response.writeHead(404).end('not here'));

    const running = runTool(webScrape, { url: site.url }, { config: loopbackAllowed });

    await expect(running).rejects.toMatchObject({ code: 'failed', message: 'the page answered HTTP 404' });
  });

  it('fails on a binary content type', async () => {
    const site = await startSite('%PDF-1.7', 'application/pdf');

    const running = runTool(webScrape, { url: site.url }, { config: loopbackAllowed });

    await expect(running).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/application\/pdf/) });
  });

  it('refuses a loopback URL without allow_localhost', async () => {
    const site = await startSite(aPage('secret'));

    const running = runTool(webScrape, { url: site.url });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
  });
});
