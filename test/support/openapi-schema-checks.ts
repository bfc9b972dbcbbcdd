import { z } from 'zod';

// What the OpenAPI documents add to a route's zod schema on the request side (the decoders'
// rules, see runtime/server/openapi/to-openapi-schema.ts), spelled out here independently, so the
// document tests can take them off again and compare the rest with the route's own schema.

type Json = Record<string, unknown>;

export const noNulPattern = '^[^\\u0000]*$';
/** Object keys: no NUL and not `__proto__` (or, beside a pattern of the keys' own, these two). */
const keyPattern = '^(?!__proto__$)[^\\u0000]*$';
const notProtoPattern = '^(?!__proto__$)';

/** Whether a string schema states the NUL rule: as its pattern, in its allOf, or in the key rule. */
export function statesNulRule(node: unknown): boolean {
  const patterns = patternsOf(node);
  return patterns.includes(noNulPattern) || patterns.includes(keyPattern);
}

/** Whether a `propertyNames` schema states the key rules: no NUL and not `__proto__`. */
export function statesKeyRules(names: unknown): boolean {
  const patterns = patternsOf(names);
  return patterns.includes(keyPattern) || (patterns.includes(noNulPattern) && patterns.includes(notProtoPattern));
}

function patternsOf(schema: unknown): unknown[] {
  const node = (schema ?? {}) as Json;
  return [node.pattern, ...((node.allOf as Json[] | undefined) ?? []).map((part) => part.pattern)];
}

export const jsonValueRef = '#/components/schemas/JsonValue';

/** A route's zod schema as z.toJSONSchema gives it: the contract a document must state. */
export function zodJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as Json;
  // The documents state zod's email and URL patterns, not JSON Schema's formats of the same name.
  return mapNodes(json, (node) => {
    if ((node.format === 'email' || node.format === 'uri') && node.pattern !== undefined) {
      const { format: _format, ...rest } = node;
      return rest;
    }
    return node;
  }) as Json;
}

/**
 * A document's schema with its `$ref`s into `components.schemas` inlined (JsonValue stays a
 * reference) and, for request schemas, the decoders' rules taken off again.
 */
export function documentedContract(schema: unknown, document: Json, side: 'request' | 'response'): Json {
  const components = (document.components as { schemas: Record<string, Json> }).schemas;
  const inline = (node: unknown, seen: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((item) => inline(item, seen));
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as Json).$ref;
    if (typeof ref === 'string' && ref !== jsonValueRef) {
      const name = ref.replace('#/components/schemas/', '');
      if (seen.includes(name)) return { $ref: `#/$defs/${name}` };
      return inline(components[name], [...seen, name]);
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inline(value, seen)]));
  };
  const inlined = inline(schema, []);
  return comparable(side === 'request' ? mapNodes(inlined, withoutDecoderRules) : inlined);
}

/** Spellings that mean the same taken to one. Apply to both sides of a comparison. */
export function comparable(schema: unknown): Json {
  return mapNodes(schema, (node) => {
    const result: Json = { ...node };
    // Allows anything, as leaving it out does.
    if (result.type === 'object' && isEmpty(result.additionalProperties)) delete result.additionalProperties;
    // Property names are strings anyway.
    const names = result.propertyNames as Json | undefined;
    if (names && names.type === 'string' && Object.keys(names).length === 1) delete result.propertyNames;
    // `anyOf` of bare types is a list of types.
    const anyOf = result.anyOf as Json[] | undefined;
    if (anyOf?.every((part) => Object.keys(part).length === 1 && typeof part.type === 'string')) {
      delete result.anyOf;
      result.type = anyOf.map((part) => part.type);
    }
    return result;
  }) as Json;
}

const isEmpty = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;

function withoutDecoderRules(node: Json): Json {
  const result: Json = { ...node };
  // z.unknown(), documented as JsonValue (its description, if any, stays beside the reference).
  if (result.$ref === jsonValueRef) delete result.$ref;
  if (result.pattern === noNulPattern || result.pattern === keyPattern) delete result.pattern;
  if (Array.isArray(result.allOf)) {
    // Inner nodes are done first, so a NUL rule in allOf is `{}` by now.
    const allOf = (result.allOf as Json[]).filter(
      (part) => part.pattern !== noNulPattern && part.pattern !== notProtoPattern && Object.keys(part).length > 0,
    );
    if (allOf.length > 0) result.allOf = allOf;
    else delete result.allOf;
  }
  return result;
}

/** Applies `change` to every schema node, innermost first. */
function mapNodes(node: unknown, change: (node: Json) => Json): unknown {
  if (Array.isArray(node)) return node.map((item) => mapNodes(item, change));
  if (node === null || typeof node !== 'object') return node;
  const mapped = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, mapNodes(value, change)]));
  return change(mapped);
}

/** Every schema node under `node` (itself included) that `matches`, with where it is. */
export function nodesOf(node: unknown, matches: (node: Json) => boolean, where = '#'): { where: string; node: Json }[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => nodesOf(item, matches, `${where}/${index}`));
  if (node === null || typeof node !== 'object') return [];
  const own = matches(node as Json) ? [{ where, node: node as Json }] : [];
  return [
    ...own,
    ...Object.entries(node).flatMap(([key, value]) =>
      // `enum`/`const`/`default` hold values, not schemas.
      ['enum', 'const', 'default', 'examples'].includes(key) ? [] : nodesOf(value, matches, `${where}/${key}`),
    ),
  ];
}
