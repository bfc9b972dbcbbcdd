import type { convert as Convert } from 'html-to-text';
import { z } from 'zod';
import { guardedFetch } from '../guarded-fetch.ts';
import { NetworkConfig, networkLimitsOf } from '../network-config.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import { type Tool, ToolError } from '../tool-types.ts';

const WebScrapeInput = z.object({
  url: z.string().max(8192).describe('Absolute http or https URL of the page.'),
  max_length: z
    .int()
    .min(100)
    .max(100_000)
    .default(10_000)
    .describe('Most characters of page text to return; longer pages are cut.'),
});
type WebScrapeInput = z.infer<typeof WebScrapeInput>;

const readableContentTypes = /^(text\/|application\/(xhtml\+xml|xml|json)\b)/i;

export const webScrape: Tool<WebScrapeInput> = {
  name: 'web_scrape',
  description:
    'Fetch a web page and return its readable text (HTML converted to plain text, scripts and styles removed) ' +
    'with its title. Use it to read a page you found with web_search or were given a link to.',
  inputSchema: WebScrapeInput,
  configSchema: NetworkConfig,
  async run(input, context) {
    const config = parseToolConfig(NetworkConfig, context.config, 'web_scrape');
    const response = await guardedFetch({
      url: input.url,
      headers: { accept: 'text/html,application/xhtml+xml,text/plain;q=0.9' },
      signal: context.signal,
      ...networkLimitsOf(config),
    });
    if (response.status >= 400) throw new ToolError('failed', `the page answered HTTP ${response.status}`);
    const contentType = response.headers['content-type'] ?? 'text/html';
    if (!readableContentTypes.test(contentType)) {
      throw new ToolError('failed', `not a readable page: its content type is ${contentType}`);
    }
    const isHtml = /html/i.test(contentType);
    // Loaded on the first HTML page, not at start: most runtimes never scrape (issue 13, idle memory).
    const { convert } = isHtml ? await import('html-to-text') : { convert: undefined };
    const text = convert ? htmlToText(convert, response.text()) : response.text();
    const content = text.slice(0, input.max_length);
    return {
      url: response.url,
      title: convert ? titleOf(convert, response.text()) : undefined,
      content,
      length: content.length,
      truncated: text.length > content.length,
    };
  },
};

function htmlToText(convert: typeof Convert, html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'nav', format: 'skip' },
      { selector: 'title', format: 'skip' },
    ],
  }).trim();
}

function titleOf(convert: typeof Convert, html: string): string | undefined {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  return title === undefined ? undefined : convert(title, { wordwrap: false }).trim();
}
