import { type GuardedRequest, type GuardedResponse, guardedFetch } from '../guarded-fetch.ts';
import { ToolError } from '../tool-types.ts';

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

export interface SearchRequest {
  query: string;
  maxResults: number;
  apiKey: string | undefined;
  baseUrl: string;
  /** Policy, limits and signal for guardedFetch. */
  fetchOptions: Omit<GuardedRequest, 'url' | 'method' | 'headers' | 'body'>;
}

export type SearchProvider = (request: SearchRequest) => Promise<SearchResult[]>;

// The public endpoints; `base_url` in the tool config replaces them (a proxy, a self-hosted SearXNG, a test).
export const defaultBaseUrls = {
  tavily: 'https://api.tavily.com',
  brave: 'https://api.search.brave.com',
  searxng: undefined,
} as const;

/** Tavily: POST /search with a bearer key. */
export const searchTavily: SearchProvider = async (request) => {
  const response = await guardedFetch({
    ...request.fetchOptions,
    url: joinUrl(request.baseUrl, '/search'),
    method: 'POST',
    headers: { authorization: `Bearer ${request.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: request.query, max_results: request.maxResults }),
  });
  const results = arrayAt(successfulJson(response, 'tavily'), ['results']);
  return results.map((item) => ({ title: text(item.title), url: text(item.url), snippet: text(item.content) }));
};

/** Brave Search: GET /res/v1/web/search with an X-Subscription-Token. */
export const searchBrave: SearchProvider = async (request) => {
  const url = new URL(joinUrl(request.baseUrl, '/res/v1/web/search'));
  url.searchParams.set('q', request.query);
  url.searchParams.set('count', String(request.maxResults));
  const response = await guardedFetch({
    ...request.fetchOptions,
    url: url.toString(),
    headers: { accept: 'application/json', 'x-subscription-token': request.apiKey ?? '' },
  });
  const results = arrayAt(successfulJson(response, 'brave'), ['web', 'results']);
  return results.map((item) => ({ title: text(item.title), url: text(item.url), snippet: text(item.description) }));
};

/** SearXNG: GET /search?format=json; a key, when set, goes as a bearer token for a proxy in front of it. */
export const searchSearxng: SearchProvider = async (request) => {
  const url = new URL(joinUrl(request.baseUrl, '/search'));
  url.searchParams.set('q', request.query);
  url.searchParams.set('format', 'json');
  const response = await guardedFetch({
    ...request.fetchOptions,
    url: url.toString(),
    headers: { accept: 'application/json', ...(request.apiKey ? { authorization: `Bearer ${request.apiKey}` } : {}) },
  });
  const results = arrayAt(successfulJson(response, 'searxng'), ['results']);
  return results.map((item) => ({ title: text(item.title), url: text(item.url), snippet: text(item.content) }));
};

function successfulJson(response: GuardedResponse, provider: string): unknown {
  if (response.status === 401 || response.status === 403) {
    throw new ToolError(
      'not_configured',
      `the ${provider} search API rejected SEARCH_API_KEY (HTTP ${response.status})`,
    );
  }
  if (response.status === 429) throw new ToolError('rate_limited', `the ${provider} search API is rate limiting us`);
  if (response.status >= 400)
    throw new ToolError('failed', `the ${provider} search API answered HTTP ${response.status}`);
  const body = response.json();
  if (body === undefined) throw new ToolError('failed', `the ${provider} search API did not answer with JSON`);
  return body;
}

function arrayAt(body: unknown, path: string[]): Record<string, unknown>[] {
  let value = body;
  for (const key of path)
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return Array.isArray(value) ? value.filter((item) => typeof item === 'object' && item !== null) : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
