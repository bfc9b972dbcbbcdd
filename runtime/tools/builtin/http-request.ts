import { z } from 'zod';
import { guardedFetch } from '../guarded-fetch.ts';
import { NetworkConfig, networkLimitsOf } from '../network-config.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import type { Tool } from '../tool-types.ts';
import { bodyOf, HttpHeaders, readableBodyOf } from './http-body.ts';

const HttpRequestInput = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).describe('HTTP method.'),
    url: z.string().max(8192).describe('Absolute http or https URL.'),
    headers: HttpHeaders.optional().describe('Request headers, e.g. {"Accept": "application/json"}.'),
    body: z
      .unknown()
      .optional()
      .describe('Request body: a string is sent as is, anything else as JSON. Not allowed with GET.'),
  })
  .superRefine((input, ctx) => {
    if (input.method === 'GET' && input.body !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'a GET request cannot have a body' });
    }
  });
type HttpRequestInput = z.infer<typeof HttpRequestInput>;

export const httpRequest: Tool<HttpRequestInput> = {
  name: 'http_request',
  description:
    'Call an HTTP API: send a GET, POST, PUT, DELETE or PATCH request to a public URL and get back the ' +
    'status code, headers and body (parsed when it is JSON). Use it for REST APIs the other tools do not ' +
    'cover. Requests to internal or private network addresses are refused.',
  inputSchema: HttpRequestInput,
  configSchema: NetworkConfig,
  async run(input, context) {
    const config = parseToolConfig(NetworkConfig, context.config, 'http_request');
    const { headers, body } = bodyOf(input.body, input.headers ?? {});
    const response = await guardedFetch({
      url: input.url,
      method: input.method,
      headers,
      body,
      signal: context.signal,
      ...networkLimitsOf(config),
    });
    return {
      status_code: response.status,
      headers: response.headers,
      body: readableBodyOf(response),
      url: response.url,
    };
  },
};
