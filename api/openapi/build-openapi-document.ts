import { maxJsonDepth } from '../../runtime/input/input-limits.ts';
import { hoistDefinitions } from '../../runtime/server/openapi/hoist-definitions.ts';
import { parametersOf } from '../../runtime/server/openapi/parameters-of.ts';
import {
  type JsonSchema,
  jsonValueComponent,
  jsonValueSchema,
  toOpenApiSchema,
} from '../../runtime/server/openapi/to-openapi-schema.ts';
import type { ApiRoute } from '../http/api-route.ts';
import { JsonRpcErrorBody } from '../schemas/a2a.ts';
import { OpenAiErrorBody } from '../schemas/openai-error-body.ts';
import { bearerProtocolPrefix, streamProtocol } from '../schemas/stream-protocols.ts';
import { ErrorEnvelope } from './error-envelope-schema.ts';

const errorDescriptions = (bodyLimit: string): Record<number, string> => ({
  400:
    'Invalid request: a path parameter, query parameter or body field is malformed; the message names it. ' +
    `Besides the schemas below, every request is refused when a body nests deeper than ${maxJsonDepth} levels, ` +
    'a string, key, path or query holds a NUL (U+0000), or a body object has a `__proto__` key.',
  401: 'No valid credentials (bearer token or X-API-Key).',
  403: 'The caller may not do this (not a member of the org, or the role is too low).',
  404: 'Not found.',
  409: 'Conflict with the current state.',
  413: `The request body is larger than ${bodyLimit}.`,
  422: 'Well-formed but not acceptable; the message names the field.',
  429: 'A limit was reached; Retry-After says when to try again where that helps.',
  501: 'Not implemented yet.',
  502:
    'The org runtime or the model provider failed. A run no runtime took in (none ready yet, connection ' +
    'refused) is first retried for ASTROMESH_RUNTIME_RETRY_SECONDS (10 s by default).',
  503: 'Temporarily unavailable.',
  504: 'The org runtime did not serve the change in time (deploy_timeout); nothing was changed.',
});

/**
 * The OpenAPI 3.1 document of the API, generated from the route registry: every route's method,
 * path, parameters, body and responses come from the same zod schemas that validate requests, so
 * the document cannot disagree with what the API accepts.
 */
export function buildOpenApiDocument(input: {
  routes: readonly ApiRoute[];
  serverUrl: string;
  /** The largest body the API reads (koa's notation, e.g. 1mb): documented with each 413. */
  bodyLimit: string;
  version: string;
  /** An SPDX identifier, e.g. Apache-2.0. */
  license: string;
}) {
  const components = {
    schemas: {
      Error: toOpenApiSchema(ErrorEnvelope, 'output'),
      OpenAIError: toOpenApiSchema(OpenAiErrorBody, 'output'),
      JsonRpcError: toOpenApiSchema(JsonRpcErrorBody, 'output'),
      [jsonValueComponent]: jsonValueSchema,
    } as Record<string, JsonSchema>,
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of input.routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method] = operationOf(
      route,
      components.schemas,
      input.bodyLimit,
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Astromesh Cloud API',
      version: input.version,
      license: { name: input.license, identifier: input.license },
      description:
        'Create, deploy and run AI agents for your organisation. Every non-2xx response is ' +
        '`{ "error", "message", "status" }`, except under an org\'s OpenAI-compatible base URL ' +
        '(`/orgs/{slug}/v1`), where it is OpenAI\'s `{ "error": { "message", "type", "param", "code" } }`.\n\n' +
        // OpenAPI has no way to describe a WebSocket as an operation, so its contract is told here.
        'Streaming: `WS /api/v1/orgs/{slug}/agents/{name}/stream[?mode=run|test]`, authenticated by a JWT or ask- key ' +
        `offered as subprotocols \`['${streamProtocol}', '${bearerProtocolPrefix}<base64url(token), no padding>']\` ` +
        `(browsers; the answer is \`Sec-WebSocket-Protocol: ${streamProtocol}\`), or by \`Authorization: Bearer\`, ` +
        '`X-API-Key` or `?token=` (a bad token or bearer entry is 401 at the upgrade, a bearer entry offered ' +
        `without ${streamProtocol} 400, another org 403, an unknown agent 404, another mode 400). ` +
        '`mode=run` (default) counts each query as a run; `mode=test` runs them as POST …/test does, not counted. ' +
        'Send `{query, session_id?, context?}` (one at a time) or `{"type": "cancel"}`, which cancels the running ' +
        'query and its model request; receive `token`, `tool_call`, `tool_result`, then `done` (the fields of a run ' +
        'answer), `cancelled` or `error` (`{error, message, status}`).',
    },
    servers: [{ url: input.serverUrl }],
    tags: [...new Set(input.routes.map((route) => route.tag))].map((name) => ({ name })),
    security: [{ bearerAuth: [] }, { apiKeyAuth: [] }],
    paths,
    components: {
      ...components,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token, or an org API key (`Bearer ask-…`, as the `openai` clients send one).',
        },
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An org API key (ask-…).' },
      },
    },
  };
}

function operationOf(route: ApiRoute, schemas: Record<string, JsonSchema>, bodyLimit: string) {
  const parameters = [...parametersOf(route.params, 'path', schemas), ...parametersOf(route.query, 'query', schemas)];
  const status = route.status ?? 200;
  const success =
    status === 303
      ? {
          description: 'See Other: the browser is sent to the Location header.',
          headers: { Location: { schema: { type: 'string' }, description: 'Where to go next.' } },
        }
      : status === 204 || !route.response
        ? { description: status === 204 ? 'No content.' : 'Success.' }
        : {
            description: 'Success.',
            content: { 'application/json': { schema: responseSchemaOf(route, schemas) } },
          };
  const responses: Record<string, unknown> = { [String(status)]: success };
  for (const [code, description] of Object.entries(route.bodilessAnswers ?? {})) responses[code] = { description };
  const errorBody = {
    schema: { $ref: `#/components/schemas/${errorComponentOf(route)}` },
  };
  for (const code of errorStatusesOf(route)) {
    responses[String(code)] = {
      description: errorDescriptions(bodyLimit)[code] ?? 'Error.',
      content: { 'application/json': errorBody },
    };
  }
  responses.default = {
    description:
      'Any other error, in the same envelope: 500 internal_error (with a request id to quote), or ' +
      '503 database_unavailable with Retry-After while the database cannot be reached.',
    content: { 'application/json': errorBody },
  };
  const roles = route.auth === 'org' && route.roles ? ` Roles: ${route.roles.join(', ')}.` : '';
  const description = `${route.description ?? ''}${roles}`.trim();
  return {
    operationId: operationIdOf(route),
    summary: route.summary,
    ...(description ? { description } : {}),
    tags: [route.tag],
    ...(route.auth === 'public' ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: !route.body.safeParse({}).success,
            content: { 'application/json': { schema: requestSchemaOf(route, schemas) } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * The body schema of a route's request, as the document states it (decoder rules included);
 * `components` receives the definitions it refers to.
 */
export function requestSchemaOf(route: ApiRoute, components: Record<string, JsonSchema>): JsonSchema | undefined {
  return route.body ? hoistDefinitions(toOpenApiSchema(route.body, 'input'), components) : undefined;
}

/** The schema of a route's success response, as the document states it. */
export function responseSchemaOf(route: ApiRoute, components: Record<string, JsonSchema>): JsonSchema | undefined {
  return route.response ? hoistDefinitions(toOpenApiSchema(route.response, 'output'), components) : undefined;
}

/**
 * 400 when anything is validated (and the decoders refuse NULs in any path or query), 413 when
 * there is a body, 401/403 as the route's auth implies, then what it declares.
 */
function errorStatusesOf(route: ApiRoute): number[] {
  const implied = [
    400,
    ...(route.body ? [413] : []),
    ...(route.auth === 'public' ? [] : [401]),
    ...(route.auth === 'org' ? [403] : []),
  ];
  return [...new Set([...implied, ...(route.errors ?? [])])].sort((a, b) => a - b);
}

function operationIdOf(route: ApiRoute): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/^\{(.+)\}$/, 'by_$1').replace(/\.json$/, ''))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/));
  return [route.method, ...words.map((word) => word.charAt(0).toUpperCase() + word.slice(1))].join('');
}

/** The component a route's error bodies follow: the envelope, or the shape its clients read. */
function errorComponentOf(route: ApiRoute): string {
  if (route.errorShape === 'openai') return 'OpenAIError';
  return route.errorShape === 'jsonrpc' ? 'JsonRpcError' : 'Error';
}
