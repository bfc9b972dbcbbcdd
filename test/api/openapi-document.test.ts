import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ApiRoute } from '../../api/http/api-route.ts';
import { bearerProtocolPrefix, streamProtocol } from '../../api/schemas/stream-protocols.ts';
import { cloudProviders } from '../../api/schemas/wizard-config.ts';
import { builtinToolNames } from '../../runtime/tools/builtin-tools.ts';
import { jsonOf } from '../support/json-of.ts';
import {
  comparable,
  documentedContract,
  jsonValueRef,
  nodesOf,
  statesKeyRules,
  statesNulRule,
  zodJsonSchema,
} from '../support/openapi-schema-checks.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

// No OpenAPI validator is a dependency of ours; these checks hold the document to what the spec
// and the route registry require: every route, its parameters, body, responses and security,
// each schema compared with the route's own zod schema. The fuzz suite (test/fuzz/) then holds
// the server to the document.

type Json = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: the document is inspected loosely, shapes checked by expect
type Operation = any;

describe('the OpenAPI document at /api/v1/openapi.json', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function documentOf(): Promise<{ api: TestApi; document: Json }> {
    const api = await startTestApi();
    cleanups.push(() => api.stop());
    const response = await api.request('/openapi.json');
    expect(response.status).toBe(200);
    return { api, document: await jsonOf(response) };
  }

  const operationOf = (document: Json, route: ApiRoute): Operation =>
    (document.paths as Record<string, Record<string, unknown>>)[route.path]?.[route.method];
  const propertiesOf = (schema: z.ZodType | undefined): string[] =>
    schema ? Object.keys((zodJsonSchema(schema, 'input').properties ?? {}) as Json) : [];

  it('is an OpenAPI 3.1 document with bearer JWT and X-API-Key security schemes', async () => {
    const { document } = await documentOf();

    expect(document).toMatchObject({
      openapi: '3.1.0',
      info: { title: expect.any(String), version: expect.any(String) },
      servers: [{ url: '/api/v1' }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    });
  });

  it("tells the WebSocket stream's contract in its description: the subprotocols a browser authenticates with", async () => {
    const { document } = await documentOf();

    const description = (document.info as Json).description as string;

    expect(description).toContain('WS /api/v1/orgs/{slug}/agents/{name}/stream[?mode=run|test]');
    expect(description).toContain(`['${streamProtocol}', '${bearerProtocolPrefix}<base64url(token), no padding>']`);
    expect(description).toContain(`Sec-WebSocket-Protocol: ${streamProtocol}`);
  });

  it('has an operation for every route of the registry, and nothing else', async () => {
    const { api, document } = await documentOf();

    const documented = Object.entries(document.paths as Record<string, Json>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );

    expect(documented.sort()).toEqual(api.api.routes.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('documents each route’s path and query parameters from its schemas', async () => {
    const { api, document } = await documentOf();

    for (const route of api.api.routes) {
      const parameters = (operationOf(document, route).parameters ?? []) as { name: string; in: string }[];
      const expected = [
        ...propertiesOf(route.params).map((name) => ({ name, in: 'path', required: true })),
        ...propertiesOf(route.query).map((name) => ({ name, in: 'query' })),
      ];
      expect(parameters, `${route.method} ${route.path}`).toEqual(expected.map((p) => expect.objectContaining(p)));
      for (const name of route.path.match(/\{([a-z_]+)\}/g) ?? []) {
        expect(
          parameters.map((p) => p.name),
          `${route.method} ${route.path}`,
        ).toContain(name.slice(1, -1));
      }
    }
  });

  it('documents each path and query parameter with the schema of the route’s own property', async () => {
    const { api, document } = await documentOf();

    for (const route of api.api.routes) {
      const parameters = (operationOf(document, route).parameters ?? []) as { name: string; schema: unknown }[];
      for (const [location, schema] of [
        ['path', route.params],
        ['query', route.query],
      ] as const) {
        const properties = (schema ? zodJsonSchema(schema, 'input').properties : {}) as Record<string, Json>;
        for (const [name, property] of Object.entries(properties)) {
          const { description: _description, ...expected } = property;
          const documented = parameters.find((parameter) => parameter.name === name)?.schema;
          expect(documentedContract(documented, document, 'request'), `${location} ${name} of ${route.path}`).toEqual(
            comparable(expected),
          );
        }
      }
    }
  });

  it('documents each request body and success response with the route’s own zod schemas', async () => {
    const { api, document } = await documentOf();

    for (const route of api.api.routes) {
      const operation = operationOf(document, route);
      const where = `${route.method} ${route.path}`;
      if (route.body) {
        const documented = operation.requestBody.content['application/json'].schema;
        expect(documentedContract(documented, document, 'request'), `${where} body`).toEqual(
          comparable(zodJsonSchema(route.body, 'input')),
        );
        expect(operation.requestBody.required, `${where} body required`).toBe(!route.body.safeParse({}).success);
      } else {
        expect(operation.requestBody, where).toBeUndefined();
      }
      const success = operation.responses[String(route.status ?? 200)];
      expect(success, where).toBeDefined();
      if (route.response && route.status !== 204) {
        const documented = success.content['application/json'].schema;
        expect(documentedContract(documented, document, 'response'), `${where} response`).toEqual(
          comparable(zodJsonSchema(route.response, 'output')),
        );
      } else {
        expect(success.content, where).toBeUndefined();
      }
      for (const [code, description] of Object.entries(route.bodilessAnswers ?? {})) {
        expect(operation.responses[code], `${where} ${code}`).toEqual({ description });
      }
    }
    // MCP's own 202 (a notification has no answer), which the fuzzer's cases reach.
    const mcp = api.api.routes.find((route) => route.method === 'post' && route.path === '/orgs/{slug}/mcp');
    expect(mcp && operationOf(document, mcp).responses['202']).toEqual({
      description: expect.stringContaining('notification'),
    });
  });

  it('states the decoders’ rules on every request: no NUL in a string or key, no __proto__ key', async () => {
    const { api, document } = await documentOf();

    for (const route of api.api.routes) {
      const operation = operationOf(document, route);
      const requestSchemas = [
        ...((operation.parameters ?? []) as { schema: unknown }[]).map((parameter) => parameter.schema),
        operation.requestBody?.content['application/json'].schema,
      ];
      for (const [index, schema] of requestSchemas.entries()) {
        const strings = nodesOf(schema, (node) => node.type === 'string' && !node.enum && node.const === undefined);
        const objects = nodesOf(schema, (node) => node.type === 'object');
        for (const { where, node } of strings) {
          expect(
            statesNulRule(node),
            `${route.method} ${route.path} [${index}] ${where}: ${JSON.stringify(node)}`,
          ).toBe(true);
        }
        for (const { where, node } of objects) {
          const names = JSON.stringify(node.propertyNames);
          expect(
            statesKeyRules(node.propertyNames),
            `${route.method} ${route.path} [${index}] ${where}: ${names}`,
          ).toBe(true);
        }
      }
    }
    expect((document.components as Json).schemas).toHaveProperty('JsonValue');
    expect(JSON.stringify(document)).toContain(jsonValueRef);
  });

  it('names what the API accepts and no more: providers, tools, api_key except for ollama, days', async () => {
    const { api, document } = await documentOf();
    const bodyOf = (path: string, method: string) =>
      documentedContract(
        (document.paths as Record<string, Record<string, Operation>>)[path]?.[method].requestBody.content[
          'application/json'
        ].schema,
        document,
        'request',
      ) as Operation;
    const agent = bodyOf('/orgs/{slug}/agents', 'post');
    const providerKey = bodyOf('/orgs/{slug}/providers', 'post');
    const usage = operationOf(
      document,
      api.api.routes.find((route) => route.path === '/orgs/{slug}/usage') as ApiRoute,
    );

    expect(agent.properties.step1.properties.model.allOf).toContainEqual({
      pattern: `^(${cloudProviders.join('|')})\\/`,
    });
    expect(agent.properties.step3.properties.tools).toMatchObject({
      items: { enum: [...builtinToolNames] },
      uniqueItems: true,
    });
    expect(providerKey.oneOf).toEqual([
      expect.objectContaining({
        properties: expect.objectContaining({
          provider: expect.objectContaining({ enum: cloudProviders.filter((p) => p !== 'ollama') }),
        }),
        required: ['provider', 'api_key'],
      }),
      expect.objectContaining({
        properties: expect.objectContaining({ provider: expect.objectContaining({ const: 'ollama' }) }),
        required: ['provider'],
      }),
    ]);
    expect(usage.parameters).toContainEqual(
      expect.objectContaining({ name: 'days', schema: { default: 30, type: 'integer', minimum: 1, maximum: 90 } }),
    );
  });

  it('documents every error with the error envelope (OpenAI’s shape under an org’s /v1, JSON-RPC’s on an A2A endpoint): 400 always, 413 with a body, 401/403 as auth implies', async () => {
    const { api, document } = await documentOf();

    for (const route of api.api.routes) {
      const responses = operationOf(document, route).responses as Record<string, Operation>;
      const where = `${route.method} ${route.path}`;
      const errors = [
        ...(route.errors ?? []),
        ...(route.auth === 'public' ? [] : [401]),
        ...(route.auth === 'org' ? [403] : []),
        // The decoders refuse a NUL in any path or query, so every route can answer 400.
        400,
        ...(route.body ? [413] : []),
      ];
      const errorSchemas = { openai: 'OpenAIError', jsonrpc: 'JsonRpcError' } as const;
      const errorSchema = route.errorShape ? errorSchemas[route.errorShape] : 'Error';
      for (const status of [...errors, 'default']) {
        expect(responses[String(status)]?.content['application/json'].schema, `${where} ${status}`).toEqual({
          $ref: `#/components/schemas/${errorSchema}`,
        });
      }
      expect(route.errorShape === 'openai', where).toBe(route.path.startsWith('/orgs/{slug}/v1/'));
      // An A2A agent's JSON-RPC endpoint answers JSON-RPC error objects, which A2A clients read.
      expect(route.errorShape === 'jsonrpc', where).toBe(
        route.method === 'post' && route.path === '/orgs/{slug}/a2a/{name}',
      );
    }
    expect((document.components as Json).schemas).toMatchObject({
      Error: { type: 'object', required: ['error', 'message', 'status'] },
      OpenAIError: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'object', required: ['message', 'type', 'param', 'code'] } },
      },
      JsonRpcError: {
        type: 'object',
        required: ['jsonrpc', 'id', 'error'],
        properties: { error: { type: 'object', required: ['code', 'message'] } },
      },
    });
  });

  it('marks public routes as needing no credentials and the others as needing a token or a key', async () => {
    const { api, document } = await documentOf();

    for (const route of api.api.routes) {
      const operation = operationOf(document, route);
      if (route.auth === 'public') expect(operation.security, route.path).toEqual([]);
      else expect(operation.security, route.path).toBeUndefined();
    }
    expect(document.security).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }]);
  });

  it('gives every operation a unique operationId, and every $ref points inside the document', async () => {
    const { document } = await documentOf();

    const operations = Object.values(document.paths as Record<string, Record<string, Operation>>).flatMap((methods) =>
      Object.values(methods),
    );
    const ids = operations.map((operation) => operation.operationId);
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];

    expect(new Set(ids).size).toBe(ids.length);
    for (const ref of refs) {
      const pointer = (JSON.parse(`{${ref}}`) as { $ref: string }).$ref;
      expect(pointer).toMatch(/^#\//);
      const target = pointer
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document);
      expect(target, pointer).toBeDefined();
    }
  });
});
