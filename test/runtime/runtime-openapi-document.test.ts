import Router from '@koa/router';
import { describe, expect, it } from 'vitest';
import { mountRuntimeRoutes } from '../../runtime/server/create-runtime-server.ts';
import { runtimeOperations } from '../../runtime/server/openapi/runtime-operations.ts';
import type { RuntimeServices } from '../../runtime/server/runtime-services.ts';
import { builtinToolNames } from '../../runtime/tools/builtin-tools.ts';
import { jsonOf } from '../support/json-of.ts';
import {
  comparable,
  documentedContract,
  nodesOf,
  statesKeyRules,
  statesNulRule,
  zodJsonSchema,
} from '../support/openapi-schema-checks.ts';
import { startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

type Json = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: the document is inspected loosely, shapes checked by expect
type Operation = any;

describe("the runtime's OpenAPI document at /v1/openapi.json", () => {
  const { cleanups } = useRuntimeTestKit();

  async function documentOf(): Promise<{ runtime: TestRuntime; document: Json }> {
    const runtime = await startTestRuntime({ authToken: 'runtime-token-of-this-test' });
    cleanups.push(() => runtime.stop());
    const response = await fetch(`${runtime.url}/v1/openapi.json`);
    expect(response.status).toBe(200);
    return { runtime, document: await jsonOf(response) };
  }

  const operationAt = (document: Json, method: string, path: string): Operation =>
    (document.paths as Record<string, Record<string, Operation>>)[path]?.[method];

  it('is served without the token, as OpenAPI 3.1 with the bearer token as its security', async () => {
    const { document } = await documentOf();

    expect(document).toMatchObject({
      openapi: '3.1.0',
      servers: [{ url: '/v1' }],
      security: [{ bearerAuth: [] }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    });
    expect(operationAt(document, 'get', '/health').security).toEqual([]);
    expect(operationAt(document, 'post', '/agents/{name}/run').security).toBeUndefined();
  });

  it('has an operation for every HTTP route the runtime mounts, and nothing else', async () => {
    const { document } = await documentOf();
    const router = new Router({ prefix: '/v1' });
    mountRuntimeRoutes(router, { version: 'test' } as RuntimeServices);

    const mounted = router.stack.flatMap((layer) =>
      layer.methods
        .filter((method) => method !== 'HEAD')
        .map(
          (method) =>
            `${method.toLowerCase()} ${String(layer.path)
              .replace(/^\/v1/, '')
              .replace(/:([a-z_]+)/g, '{$1}')}`,
        ),
    );
    const documented = Object.entries(document.paths as Record<string, Json>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );

    expect(documented.sort()).toEqual(mounted.sort());
  });

  it("documents each operation's parameters, body and answer with the schemas its route uses", async () => {
    const { document } = await documentOf();

    for (const operation of runtimeOperations) {
      const documented = operationAt(document, operation.method, operation.path);
      const where = `${operation.method} ${operation.path}`;
      for (const [location, schema] of [
        ['path', operation.params],
        ['query', operation.query],
      ] as const) {
        const properties = (schema ? zodJsonSchema(schema, 'input').properties : {}) as Record<string, Json>;
        for (const [name, property] of Object.entries(properties)) {
          const { description: _description, ...expected } = property;
          const parameter = (documented.parameters as { name: string; in: string; schema: unknown }[]).find(
            (candidate) => candidate.name === name && candidate.in === location,
          );
          expect(documentedContract(parameter?.schema, document, 'request'), `${where} ${name}`).toEqual(
            comparable(expected),
          );
        }
      }
      if (operation.body) {
        expect(
          documentedContract(documented.requestBody.content['application/json'].schema, document, 'request'),
          `${where} body`,
        ).toEqual(comparable(zodJsonSchema(operation.body, 'input')));
      } else {
        expect(documented.requestBody, where).toBeUndefined();
      }
      if (operation.response) {
        expect(
          documentedContract(documented.responses['200'].content['application/json'].schema, document, 'response'),
          `${where} answer`,
        ).toEqual(comparable(zodJsonSchema(operation.response, 'output')));
      }
      expect(Object.keys(documented.responses), where).toEqual(
        expect.arrayContaining(['400', ...(operation.isPublic ? [] : ['401']), ...(operation.body ? ['413'] : [])]),
      );
    }
  });

  it('names every built-in tool POST /v1/tools/execute runs, each with its own input schema', async () => {
    const { document } = await documentOf();

    const body = documentedContract(
      operationAt(document, 'post', '/tools/execute').requestBody.content['application/json'].schema,
      document,
      'request',
    ) as Operation;

    expect(body.oneOf.map((variant: Operation) => variant.properties.tool.const)).toEqual([...builtinToolNames]);
    expect(body.oneOf.find((variant: Operation) => variant.properties.tool.const === 'calculator')).toMatchObject({
      required: ['tool', 'input'],
      properties: { input: { required: ['expression'] } },
    });
  });

  it('states the decoders’ rules on every request string and object', async () => {
    const { document } = await documentOf();

    for (const operation of runtimeOperations) {
      const documented = operationAt(document, operation.method, operation.path);
      const schemas = [
        ...((documented.parameters ?? []) as { schema: unknown }[]).map((parameter) => parameter.schema),
        documented.requestBody?.content['application/json'].schema,
      ];
      const where = `${operation.method} ${operation.path}`;
      for (const { node } of nodesOf(schemas, (n) => n.type === 'string' && !n.enum && n.const === undefined)) {
        expect(statesNulRule(node), `${where}: ${JSON.stringify(node)}`).toBe(true);
      }
      for (const { node } of nodesOf(schemas, (n) => n.type === 'object')) {
        expect(statesKeyRules(node.propertyNames), `${where}: ${JSON.stringify(node.propertyNames)}`).toBe(true);
      }
    }
  });
});
