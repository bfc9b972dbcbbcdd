import { z } from 'zod';
import { guardedFetch } from '../guarded-fetch.ts';
import { NetworkConfig, networkLimitsOf } from '../network-config.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import { type Tool, ToolError } from '../tool-types.ts';
import { HttpHeaders } from './http-body.ts';

const GraphqlQueryInput = z.object({
  endpoint: z.string().max(8192).describe('URL of the GraphQL endpoint, e.g. https://api.example.com/graphql.'),
  query: z.string().min(1).max(100_000).describe('The GraphQL query or mutation document.'),
  variables: z.record(z.string(), z.unknown()).optional().describe('Values for the variables the query declares.'),
  headers: HttpHeaders.optional().describe('Extra request headers, e.g. an Authorization header.'),
});
type GraphqlQueryInput = z.infer<typeof GraphqlQueryInput>;

export const graphqlQuery: Tool<GraphqlQueryInput> = {
  name: 'graphql_query',
  description:
    'Run a GraphQL query or mutation against a GraphQL endpoint and get back its `data` and any `errors`. ' +
    'Use it for APIs that speak GraphQL; pass values through `variables` rather than pasting them into the query.',
  inputSchema: GraphqlQueryInput,
  configSchema: NetworkConfig,
  async run(input, context) {
    const config = parseToolConfig(NetworkConfig, context.config, 'graphql_query');
    const response = await guardedFetch({
      url: input.endpoint,
      method: 'POST',
      headers: { accept: 'application/json', ...input.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query: input.query, variables: input.variables ?? {} }),
      signal: context.signal,
      ...networkLimitsOf(config),
    });
    const body = response.json();
    if (typeof body !== 'object' || body === null || !('data' in body || 'errors' in body)) {
      throw new ToolError('failed', `the endpoint answered HTTP ${response.status} without a GraphQL response`);
    }
    return { status_code: response.status, ...body };
  },
};
