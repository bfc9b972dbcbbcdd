import type Router from '@koa/router';
import { buildRuntimeOpenApiDocument } from './build-runtime-openapi-document.ts';
import { runtimeOperations } from './runtime-operations.ts';

/** GET /v1/openapi.json, open without the token like /v1/health; built once, on first request. */
export function openApiRoute(router: Router, options: { version: string; bodyLimit: string }): void {
  let document: ReturnType<typeof buildRuntimeOpenApiDocument> | undefined;
  router.get('/openapi.json', (ctx) => {
    document ??= buildRuntimeOpenApiDocument({ operations: runtimeOperations, ...options });
    ctx.body = document;
  });
}
