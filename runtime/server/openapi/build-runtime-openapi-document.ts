import { z } from 'zod';
import { maxJsonDepth } from '../../input/input-limits.ts';
import type { ErrorBody } from '../error-envelope.ts';
import { hoistDefinitions } from './hoist-definitions.ts';
import { parametersOf } from './parameters-of.ts';
import type { RuntimeOperation } from './runtime-operations.ts';
import { type JsonSchema, jsonValueComponent, jsonValueSchema, toOpenApiSchema } from './to-openapi-schema.ts';

/** Every non-2xx body of astromeshd, as the document states it. */
export const RuntimeErrorEnvelope = z.object({
  error: z.string().describe('Machine-readable code, e.g. agent_not_found, invalid_request, tool_refused.'),
  message: z.string().describe('What went wrong, naming the field for bad input.'),
  status: z.int().describe('The HTTP status, repeated.'),
  details: z.unknown().optional().describe('More about some errors: the failed candidates, the guardrail rule.'),
});

// The envelope's type lives in error-envelope.ts; this fails to compile if the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const envelopeMatchesErrorBody: Same<z.infer<typeof RuntimeErrorEnvelope>, ErrorBody> = true;

const errorDescriptions = (bodyLimit: string): Record<number, string> => ({
  400:
    'Invalid request: a path parameter, query parameter or body field is malformed (the message names it), ' +
    `a body nests deeper than ${maxJsonDepth} levels, a string, key, path or query holds a NUL (U+0000), or a body ` +
    'object has a `__proto__` key. Also a guardrail that blocked the input (guardrail_blocked).',
  401: 'No valid bearer token (the per-org runtime token).',
  403: 'The tool refused the target (the SSRF guard, a path outside allowed_paths).',
  404: 'No such agent, session or trace.',
  408: 'The run did not finish within its orchestration timeout.',
  413: `The request body is larger than ${bodyLimit}.`,
  422: 'The tool is not configured.',
  429: 'The tool is rate limited.',
  499: 'The client closed the connection before the run finished.',
  502: 'The tool failed.',
  503: 'Every model candidate failed, the agent has no valid configuration, or the runtime is shutting down.',
  504: 'The tool timed out.',
});

/**
 * The OpenAPI 3.1 document of astromeshd's /v1 API, built from the operations table, whose
 * schemas are those the route handlers parse and answer with.
 */
export function buildRuntimeOpenApiDocument(input: {
  operations: readonly RuntimeOperation[];
  version: string;
  bodyLimit: string;
}) {
  const schemas: Record<string, JsonSchema> = {
    Error: toOpenApiSchema(RuntimeErrorEnvelope, 'output'),
    [jsonValueComponent]: jsonValueSchema,
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of input.operations) {
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, unknown>)[operation.method] = operationOf(
      operation,
      schemas,
      input.bodyLimit,
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'astromeshd runtime API',
      version: input.version,
      description:
        "An org's agent runtime (seed 002): run agents, their memory, tools and traces. Every non-2xx " +
        'response is `{ "error", "message", "status", "details"? }`. The WebSocket /v1/ws/agent/{name} streams runs.',
    },
    servers: [{ url: '/v1' }],
    tags: [...new Set(input.operations.map((operation) => operation.tag))].map((name) => ({ name })),
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'The runtime token (--auth-token-file).' },
      },
    },
  };
}

function operationOf(operation: RuntimeOperation, schemas: Record<string, JsonSchema>, bodyLimit: string) {
  const parameters = [
    ...parametersOf(operation.params, 'path', schemas),
    ...parametersOf(operation.query, 'query', schemas),
  ];
  const responses: Record<string, unknown> = {
    200: {
      description: 'Success.',
      content: {
        'application/json': {
          schema: operation.response
            ? hoistDefinitions(toOpenApiSchema(operation.response, 'output'), schemas)
            : { type: 'object', description: 'An OpenAPI 3.1 document.' },
        },
      },
    },
  };
  const statuses = [
    400,
    ...(operation.isPublic ? [] : [401]),
    ...(operation.body ? [413] : []),
    ...(operation.errors ?? []),
  ];
  for (const status of [...new Set(statuses)].sort((a, b) => a - b)) {
    responses[String(status)] = {
      description: errorDescriptions(bodyLimit)[status] ?? 'Error.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  responses.default = {
    description: 'Any other error (500 internal_error), in the same envelope.',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  return {
    operationId: operationIdOf(operation),
    summary: operation.summary,
    tags: [operation.tag],
    ...(operation.isPublic ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: !operation.body.safeParse({}).success,
            content: {
              'application/json': { schema: hoistDefinitions(toOpenApiSchema(operation.body, 'input'), schemas) },
            },
          },
        }
      : {}),
    responses,
  };
}

function operationIdOf(operation: RuntimeOperation): string {
  const words = operation.path
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/^\{(.+)\}$/, 'by_$1').replace(/\.json$/, ''))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/));
  return [operation.method, ...words.map((word) => word.charAt(0).toUpperCase() + word.slice(1))].join('');
}
