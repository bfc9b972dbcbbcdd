import type { z } from 'zod';
import { hoistDefinitions } from './hoist-definitions.ts';
import { type JsonSchema, toOpenApiSchema } from './to-openapi-schema.ts';

/** The OpenAPI parameters of a route's path or query schema (a zod object), one per property. */
export function parametersOf(
  schema: z.ZodType | undefined,
  location: 'path' | 'query',
  components: Record<string, JsonSchema>,
): Record<string, unknown>[] {
  if (!schema) return [];
  const object = hoistDefinitions(toOpenApiSchema(schema, 'input'), components);
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
