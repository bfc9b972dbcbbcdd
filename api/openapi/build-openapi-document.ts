import { z } from 'zod';
import type { ApiRoute } from '../http/api-route.ts';
import { ErrorEnvelope } from './error-envelope-schema.ts';

type JsonSchema = Record<string, unknown>;

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request: a path parameter, query parameter or body field is malformed; the message names it.',
  401: 'No valid credentials (bearer token or X-API-Key).',
  403: 'The caller may not do this (not a member of the org, or the role is too low).',
  404: 'Not found.',
  409: 'Conflict with the current state.',
  413: 'The request body is larger than the limit.',
  422: 'Well-formed but not acceptable; the message names the field.',
  429: 'A limit was reached; Retry-After says when to try again where that helps.',
  501: 'Not implemented yet.',
  502: 'The org runtime or the model provider failed.',
  503: 'Temporarily unavailable.',
  504: 'The org runtime did not serve the change in time (deploy_timeout); nothing was changed.',
};

/**
 * The OpenAPI 3.1 document of the API, generated from the route registry: every route's method,
 * path, parameters, body and responses come from the same zod schemas that validate requests, so
 * the document cannot disagree with what the API accepts.
 */
export function buildOpenApiDocument(input: {
  routes: readonly ApiRoute[];
  serverUrl: string;
  version: string;
  /** An SPDX identifier, e.g. Apache-2.0. */
  license: string;
}) {
  const components = { schemas: { Error: toSchema(ErrorEnvelope, 'output') } as Record<string, JsonSchema> };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of input.routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method] = operationOf(route, components.schemas);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Astromesh Cloud API',
      version: input.version,
      license: { name: input.license, identifier: input.license },
      description:
        'Create, deploy and run AI agents for your organisation. Every non-2xx response is ' +
        '`{ "error", "message", "status" }`.',
    },
    servers: [{ url: input.serverUrl }],
    tags: [...new Set(input.routes.map((route) => route.tag))].map((name) => ({ name })),
    security: [{ bearerAuth: [] }, { apiKeyAuth: [] }],
    paths,
    components: {
      ...components,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token.' },
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An org API key (ask-…).' },
      },
    },
  };
}

function operationOf(route: ApiRoute, schemas: Record<string, JsonSchema>) {
  const parameters = [...parametersOf(route.params, 'path', schemas), ...parametersOf(route.query, 'query', schemas)];
  const status = route.status ?? 200;
  const success =
    status === 204 || !route.response
      ? { description: status === 204 ? 'No content.' : 'Success.' }
      : {
          description: 'Success.',
          content: { 'application/json': { schema: hoisted(toSchema(route.response, 'output'), schemas) } },
        };
  const responses: Record<string, unknown> = { [String(status)]: success };
  for (const code of errorStatusesOf(route)) {
    responses[String(code)] = {
      description: errorDescriptions[code] ?? 'Error.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  responses.default = {
    description: 'Any other error (500 internal_error, with a request id), in the same envelope.',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  const roles = route.auth === 'org' && route.roles ? ` Roles: ${route.roles.join(', ')}.` : '';
  return {
    operationId: operationIdOf(route),
    summary: route.summary,
    ...(roles ? { description: roles.trim() } : {}),
    tags: [route.tag],
    ...(route.auth === 'public' ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: !route.body.safeParse({}).success,
            content: { 'application/json': { schema: hoisted(toSchema(route.body, 'input'), schemas) } },
          },
        }
      : {}),
    responses,
  };
}

/** 400 when anything is validated, 401/403 as the route's auth implies, then what it declares. */
function errorStatusesOf(route: ApiRoute): number[] {
  const implied = [
    ...(route.params || route.query || route.body ? [400] : []),
    ...(route.auth === 'public' ? [] : [401]),
    ...(route.auth === 'org' ? [403] : []),
  ];
  return [...new Set([...implied, ...(route.errors ?? [])])].sort((a, b) => a - b);
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query', schemas: Record<string, JsonSchema>) {
  if (!schema) return [];
  const object = hoisted(toSchema(schema, 'input'), schemas);
  const required = new Set((object.required as string[] | undefined) ?? []);
  return Object.entries((object.properties as Record<string, JsonSchema> | undefined) ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      // OpenAPI requires every path parameter; a query parameter is required unless it may be left out.
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: propertySchema,
    };
  });
}

function operationIdOf(route: ApiRoute): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/^\{(.+)\}$/, 'by_$1').replace(/\.json$/, ''))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/));
  return [route.method, ...words.map((word) => word.charAt(0).toUpperCase() + word.slice(1))].join('');
}

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // Transforms and refinements have no JSON Schema; the type they start from is documented instead.
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return json;
}

/**
 * Moves a schema's `$defs` (shared or recursive sub-schemas) into `components.schemas` and points
 * its references there: inside an OpenAPI document, `#/$defs/…` would resolve against the
 * document root, where nothing lives.
 */
function hoisted(schema: JsonSchema, schemas: Record<string, JsonSchema>): JsonSchema {
  const { $defs, ...rest } = schema as JsonSchema & { $defs?: Record<string, JsonSchema> };
  if (!$defs) return schema;
  const targets = new Map<string, string>();
  for (const [name, definition] of Object.entries($defs)) {
    let target = name;
    for (let n = 2; schemas[target] && JSON.stringify(schemas[target]) !== JSON.stringify(definition); n++) {
      target = `${name}${n}`;
    }
    targets.set(name, target);
  }
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => {
        const definition =
          key === '$ref' && typeof inner === 'string' ? /^#\/\$defs\/(.+)$/.exec(inner)?.[1] : undefined;
        return [key, definition ? `#/components/schemas/${targets.get(definition) ?? definition}` : rewrite(inner)];
      }),
    );
  };
  for (const [name, definition] of Object.entries($defs)) {
    schemas[targets.get(name) ?? name] = rewrite(definition) as JsonSchema;
  }
  return rewrite(rest) as JsonSchema;
}
