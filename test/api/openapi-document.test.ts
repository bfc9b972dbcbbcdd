import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ApiRoute } from '../../api/http/api-route.ts';
import { jsonOf } from '../support/json-of.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

// No OpenAPI validator is a dependency of ours; these checks hold the document to what the spec
// and the route registry require: every route, its parameters, body, responses and security.

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
    schema
      ? Object.keys((z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }).properties ?? {}) as Json)
      : [];

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

  it('documents each request body and success response with the route’s own schemas', async () => {
    const { api, document } = await documentOf();

    for (const route of api.api.routes) {
      const operation = operationOf(document, route);
      const where = `${route.method} ${route.path}`;
      if (route.body) {
        const schema = operation.requestBody.content['application/json'].schema;
        expect(Object.keys(schema.properties ?? {}), where).toEqual(propertiesOf(route.body));
      } else {
        expect(operation.requestBody, where).toBeUndefined();
      }
      const success = operation.responses[String(route.status ?? 200)];
      expect(success, where).toBeDefined();
      if (route.response && route.status !== 204) {
        expect(success.content['application/json'].schema, where).toBeDefined();
      }
    }
  });

  it('documents every error with the error envelope, 401 and 403 as the route’s auth implies', async () => {
    const { api, document } = await documentOf();

    for (const route of api.api.routes) {
      const responses = operationOf(document, route).responses as Record<string, Operation>;
      const where = `${route.method} ${route.path}`;
      const errors = [
        ...(route.errors ?? []),
        ...(route.auth === 'public' ? [] : [401]),
        ...(route.auth === 'org' ? [403] : []),
        ...(route.params || route.query || route.body ? [400] : []),
      ];
      for (const status of errors) {
        expect(responses[String(status)]?.content['application/json'].schema, `${where} ${status}`).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
    }
    expect((document.components as Json).schemas).toMatchObject({
      Error: { type: 'object', required: ['error', 'message', 'status'] },
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
