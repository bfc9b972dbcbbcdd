import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** A string the decoders accept: no NUL (U+0000) anywhere, as runtime/input refuses one. */
const noNul = '^[^\\u0000]*$';

/**
 * A key the decoders accept: no NUL, and not `__proto__`. Said as one pattern (a lookahead) rather
 * than beside `not: { const: '__proto__' }`: the two say the same, but a generator of examples
 * (schemathesis) must filter every key it makes against a `not`, which made the fuzz suites'
 * boundary cases take twice as long to build.
 */
const noNulNorProto = '^(?!__proto__$)[^\\u0000]*$';
const notProto = '^(?!__proto__$)';

const keyRules = { type: 'string', pattern: noNulNorProto };

/** Where the documents keep `jsonValueSchema`: add it to `components.schemas` under this name. */
export const jsonValueComponent = 'JsonValue';
const jsonValueRef = { $ref: `#/components/schemas/${jsonValueComponent}` };

/**
 * Any JSON value a caller may send where a schema says "anything" (a run's context, a tool's
 * input, properties a schema does not name): anything the decoders let through.
 */
export const jsonValueSchema: JsonSchema = {
  description: 'Any JSON value, but no string or key holds a NUL (U+0000) and no object has a __proto__ key.',
  anyOf: [
    { type: 'string', pattern: noNul },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'null' },
    { type: 'array', items: jsonValueRef },
    { type: 'object', propertyNames: keyRules, additionalProperties: jsonValueRef },
  ],
};

/**
 * A zod schema as JSON Schema for an OpenAPI 3.1 document. On the request side ('input') it also
 * states what the shared decoders (runtime/input) refuse before any route schema runs, so a
 * client, or a fuzzer, reading the document expects what the server does: no string holds a NUL
 * and no object has a `__proto__` key (nor a NUL in a key), at any depth. Nesting past the
 * decoders' depth limit cannot be said in JSON Schema; the 400 response's description says it.
 * Documents that use it hold `jsonValueSchema` as `components.schemas.JsonValue`.
 */
export function toOpenApiSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    // Transforms and refinements have no JSON Schema; the type they start from is documented instead.
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      withExactFormats(jsonSchema as JsonSchema);
      if (io === 'input') withDecoderRules(jsonSchema as JsonSchema);
    },
  }) as JsonSchema;
  return json;
}

/**
 * zod checks an email (and our URLs) with a pattern, which the document states; JSON Schema's
 * `format` of the same name is a different, RFC-based rule that validators also assert, so a
 * document with both would refuse what the server accepts. The pattern is the one that holds.
 */
function withExactFormats(node: JsonSchema): void {
  if ((node.format === 'email' || node.format === 'uri') && node.pattern !== undefined) delete node.format;
}

// zod may hand the same node over more than once (a schema used in several places): the rules
// apply once.
function withDecoderRules(node: JsonSchema): void {
  if (Object.keys(node).length === 0) {
    // z.unknown(): "anything" is anything the decoders accept.
    Object.assign(node, jsonValueRef);
    return;
  }
  if (node.type === 'string' && node.enum === undefined && node.const === undefined) withNulRule(node);
  if (node.type === 'object' && !hasKeyRules(node.propertyNames as JsonSchema | undefined)) {
    const names = { ...((node.propertyNames as JsonSchema | undefined) ?? { type: 'string' }) };
    // Names with no pattern, or only the NUL rule (a record's string keys), take the key pattern;
    // a pattern of the names' own is kept, and the key rules join it rather than rewriting it.
    if (names.pattern === undefined || names.pattern === noNul) names.pattern = noNulNorProto;
    else {
      withNulRule(names);
      names.allOf = [...((names.allOf as JsonSchema[] | undefined) ?? []), { pattern: notProto }];
    }
    node.propertyNames = names;
    // Properties the schema does not name are accepted (and dropped), so they are documented too.
    node.additionalProperties ??= jsonValueRef;
  }
}

function hasKeyRules(names: JsonSchema | undefined): boolean {
  const allOf = (names?.allOf as JsonSchema[] | undefined) ?? [];
  return names?.pattern === noNulNorProto || allOf.some((part) => part.pattern === notProto);
}

function withNulRule(node: JsonSchema): void {
  const allOf = (node.allOf as JsonSchema[] | undefined) ?? [];
  if (node.pattern === noNul || allOf.some((part) => part.pattern === noNul)) return;
  // A pattern of the schema's own is kept; the NUL rule joins it rather than rewriting it.
  if (node.pattern === undefined) node.pattern = noNul;
  else node.allOf = [...allOf, { pattern: noNul }];
}
