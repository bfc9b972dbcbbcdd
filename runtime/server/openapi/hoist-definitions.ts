import type { JsonSchema } from './to-openapi-schema.ts';

/**
 * Moves a schema's `$defs` (shared or recursive sub-schemas) into the document's
 * `components.schemas` and points its references there: inside an OpenAPI document, `#/$defs/…`
 * would resolve against the document root, where nothing lives. A name already taken by a
 * different definition gets a number (`Name2`).
 */
export function hoistDefinitions(schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  const { $defs, ...rest } = schema as JsonSchema & { $defs?: Record<string, JsonSchema> };
  if (!$defs) return schema;
  const targets = new Map<string, string>();
  for (const [name, definition] of Object.entries($defs)) {
    let target = name;
    for (let n = 2; components[target] && JSON.stringify(components[target]) !== JSON.stringify(definition); n++) {
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
    components[targets.get(name) ?? name] = rewrite(definition) as JsonSchema;
  }
  return rewrite(rest) as JsonSchema;
}
