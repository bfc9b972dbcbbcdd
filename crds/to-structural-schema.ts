// Turns the JSON Schema that zod 4 emits (target openapi-3.0) into a Kubernetes *structural*
// schema: every node has a type, no unions, no `additionalProperties: false`, free-form maps
// marked `x-kubernetes-preserve-unknown-fields`. The API server rejects a CRD whose schema is
// not structural, so anything we cannot translate faithfully is an error here, not a guess.

export type JsonSchema = { [key: string]: unknown };

export class UnsupportedSchema extends Error {
  override name = 'UnsupportedSchema';
}

// Keys that mean the same thing in both dialects and need no translation.
const passThroughKeys = new Set([
  'description',
  'enum',
  'nullable',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
]);

// Dropped on purpose: the runtime applies its own defaults (so a CR reads as the API wrote it),
// and titles/examples/ids are documentation-only in zod's output.
const droppedKeys = new Set(['$schema', 'default', 'title', 'examples', 'id', '$id', 'readOnly', 'writeOnly']);

// Formats the API server understands (k8s.io/kube-openapi/pkg/validation/strfmt).
const kubernetesFormats = new Set([
  'date-time',
  'date',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'cidr',
  'uri',
  'uuid',
  'byte',
  'int32',
  'int64',
  'float',
  'double',
]);

// zod's z.int() bounds; kube's int64 already covers them, so they only add noise.
const maxSafeInteger = Number.MAX_SAFE_INTEGER;

export function toStructuralSchema(schema: JsonSchema, path = ''): JsonSchema {
  for (const union of ['anyOf', 'oneOf', 'allOf', 'not', '$ref']) {
    if (union in schema) {
      throw new UnsupportedSchema(`${path || '<root>'}: '${union}' cannot be expressed as a structural schema`);
    }
  }
  if (Object.keys(schema).every((key) => droppedKeys.has(key) || key === 'description')) {
    // z.unknown() / z.any(): any JSON value is allowed and kept.
    return withDescription(schema, { 'x-kubernetes-preserve-unknown-fields': true });
  }

  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (droppedKeys.has(key)) continue;
    if (passThroughKeys.has(key)) {
      out[key] = value;
    } else if (key === 'type') {
      out.type = value;
    } else if (key === 'format') {
      if (typeof value === 'string' && kubernetesFormats.has(value)) out.format = value;
    } else if (key === 'properties') {
      out.properties = mapProperties(value as Record<string, JsonSchema>, path);
    } else if (key === 'required') {
      out.required = value;
    } else if (key === 'items') {
      out.items = toStructuralSchema(value as JsonSchema, `${path}[]`);
    } else if (key === 'additionalProperties') {
      Object.assign(out, translateAdditionalProperties(value, schema, path));
    } else if (!key.startsWith('x-')) {
      throw new UnsupportedSchema(`${path || '<root>'}: unsupported JSON Schema keyword '${key}'`);
    } else {
      out[key] = value;
    }
  }

  if (out.format === 'date-time') {
    // zod adds an ECMAScript regex for ISO dates; the API server checks the format itself.
    delete out.pattern;
  }
  if (out.type === 'integer') {
    if (out.minimum === -maxSafeInteger) delete out.minimum;
    if (out.maximum === maxSafeInteger) delete out.maximum;
  }
  if (out.type === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    throw new UnsupportedSchema(`${path || '<root>'}: every node of a structural schema needs a type`);
  }
  return out;
}

function mapProperties(properties: Record<string, JsonSchema>, path: string): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [name, child] of Object.entries(properties)) {
    out[name] = toStructuralSchema(child, path ? `${path}.${name}` : name);
  }
  return out;
}

function translateAdditionalProperties(value: unknown, schema: JsonSchema, path: string): JsonSchema {
  // `false` is how zod says "no other keys"; the API server prunes unknown fields anyway
  // and forbids `additionalProperties: false` in a structural schema.
  if (value === false) return {};
  if (value === true || isEmptySchema(value)) {
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }
  if ('properties' in schema) {
    throw new UnsupportedSchema(`${path || '<root>'}: 'properties' and 'additionalProperties' are mutually exclusive`);
  }
  return { additionalProperties: toStructuralSchema(value as JsonSchema, `${path}{}`) };
}

function isEmptySchema(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function withDescription(source: JsonSchema, target: JsonSchema): JsonSchema {
  return typeof source.description === 'string' ? { description: source.description, ...target } : target;
}
