import { z } from 'zod';
import { NetworkConfig, networkLimitsOf } from '../network-config.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import { type Tool, ToolError } from '../tool-types.ts';
import {
  defaultBaseUrls,
  type SearchProvider,
  searchBrave,
  searchSearxng,
  searchTavily,
} from './web-search-providers.ts';

const WebSearchInput = z.object({
  query: z.string().min(1).max(400).describe('What to search for, phrased as you would type it into a search engine.'),
  max_results: z.int().min(1).max(20).default(5).describe('How many results to return (1-20).'),
});
type WebSearchInput = z.infer<typeof WebSearchInput>;

export const WebSearchConfig = NetworkConfig.extend({
  provider: z.enum(['tavily', 'brave', 'searxng']).default('tavily'),
  base_url: z.url().optional().describe('Replaces the provider endpoint; required for searxng.'),
});

const providers: Record<z.infer<typeof WebSearchConfig>['provider'], SearchProvider> = {
  tavily: searchTavily,
  brave: searchBrave,
  searxng: searchSearxng,
};

export const webSearch: Tool<WebSearchInput> = {
  name: 'web_search',
  description:
    'Search the web and get back a list of results (title, URL, snippet). Use it for current events, facts ' +
    'you are unsure of, or anything that may have changed since your training; open a promising result ' +
    'with web_scrape to read it in full.',
  inputSchema: WebSearchInput,
  configSchema: WebSearchConfig,
  async run(input, context) {
    const config = parseToolConfig(WebSearchConfig, context.config, 'web_search');
    const apiKey = context.credentials('SEARCH_API_KEY');
    if (!apiKey && config.provider !== 'searxng') {
      throw new ToolError(
        'not_configured',
        `web_search is not configured: the ${config.provider} provider needs the SEARCH_API_KEY credential`,
      );
    }
    const baseUrl = config.base_url ?? defaultBaseUrls[config.provider];
    if (!baseUrl) {
      throw new ToolError('not_configured', 'web_search is not configured: the searxng provider needs base_url');
    }
    const results = await providers[config.provider]({
      query: input.query,
      maxResults: input.max_results,
      apiKey,
      baseUrl,
      fetchOptions: { signal: context.signal, ...networkLimitsOf(config) },
    });
    return { query: input.query, provider: config.provider, results: results.slice(0, input.max_results) };
  },
};
