/**
 * Upstream's `spec.output_schema`: no provider is asked for a native JSON mode; the system prompt
 * asks for a fenced `json` block at the end of the answer, and the run's result carries that
 * block, parsed and checked, as `data` (or why not, as `data_error`) beside the untouched answer.
 */
export type OutputSchema = Record<string, unknown>;

export interface StructuredOutput {
  data: unknown;
  data_error: string | null;
}

/**
 * The shorthand upstream accepts, as for tool parameters: a mapping that does not declare
 * `type: object` is the properties of one. A real JSON Schema object is kept as written.
 */
export function normalizeOutputSchema(raw: Record<string, unknown>): OutputSchema {
  if (raw.type === 'object') return { properties: {}, ...raw };
  return { type: 'object', properties: raw };
}

/** What the system prompt gains (upstream's instruction, in English). */
export function outputSchemaInstruction(schema: OutputSchema): string {
  return [
    '',
    '',
    '## Structured output (required)',
    'Answer normally in prose and, at the end, add a code block tagged `json` with an object that matches exactly this JSON Schema:',
    '',
    '```json',
    JSON.stringify(schema, null, 2),
    '```',
    '',
    'The block must be the last one of your answer and hold only the JSON object.',
  ].join('\n');
}

const fencedBlock = /```(?:json)?\s*\n([\s\S]*?)\n\s*```/g;

/** The answer's last fenced block that parses as JSON, else the whole answer as JSON, else undefined. */
export function extractJson(answer: string): unknown {
  if (answer === '') return undefined;
  // The last block wins: a model that showed a draft and then corrected it meant the correction.
  for (const block of [...answer.matchAll(fencedBlock)].map((match) => match[1] ?? '').reverse()) {
    try {
      return JSON.parse(block);
    } catch {}
  }
  try {
    return JSON.parse(answer.trim());
  } catch {
    return undefined;
  }
}

/** `data` and `data_error` for a finished answer; a bad block never fails the run, as upstream. */
export function structuredOutputOf(answer: string, schema: OutputSchema): StructuredOutput {
  const data = extractJson(answer);
  // null counts as "no object", as upstream's None does.
  if (data === undefined || data === null)
    return { data: null, data_error: 'no valid JSON object found in the answer' };
  const errors = validateOutput(data, schema, '');
  return errors.length > 0 ? { data: null, data_error: errors.join('; ') } : { data, data_error: null };
}

const typeChecks: Record<string, (value: unknown) => boolean> = {
  null: (value) => value === null,
  boolean: (value) => typeof value === 'boolean',
  integer: (value) => typeof value === 'number' && Number.isInteger(value),
  number: (value) => typeof value === 'number',
  string: (value) => typeof value === 'string',
  array: (value) => Array.isArray(value),
  object: (value) => value !== null && typeof value === 'object' && !Array.isArray(value),
};

/**
 * Upstream's subset of JSON Schema: `type` (one or a list), `properties`, `required`, `enum`,
 * `items`. Other keywords are ignored rather than refused, as upstream ignores them.
 */
export function validateOutput(value: unknown, schema: Record<string, unknown>, path: string): string[] {
  const label = path || '(root)';
  const expected = schema.type;
  const types = Array.isArray(expected) ? expected : expected === undefined ? [] : [expected];
  const checks = types.map((type) => (typeof type === 'string' ? typeChecks[type] : undefined));
  if (types.length > 0 && !checks.includes(undefined) && !checks.some((check) => check?.(value))) {
    return [`${label}: expected ${types.join(' or ')}, got ${typeName(value)}`];
  }
  const errors: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    errors.push(`${label}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  const prefix = path ? `${path}.` : '';
  if (typeChecks.object?.(value) && (types.length === 0 || types.includes('object'))) {
    const object = value as Record<string, unknown>;
    const required = Array.isArray(schema.required) ? schema.required : [];
    for (const name of required) {
      if (!Object.hasOwn(object, String(name))) errors.push(`${prefix}${String(name)}: required field missing`);
    }
    const properties = (schema.properties ?? {}) as Record<string, unknown>;
    for (const [name, subschema] of Object.entries(properties)) {
      if (Object.hasOwn(object, name) && subschema && typeof subschema === 'object') {
        errors.push(...validateOutput(object[name], subschema as Record<string, unknown>, `${prefix}${name}`));
      }
    }
  } else if (Array.isArray(value) && (types.length === 0 || types.includes('array'))) {
    const items = schema.items;
    if (items && typeof items === 'object' && !Array.isArray(items)) {
      value.forEach((item, index) => {
        errors.push(...validateOutput(item, items as Record<string, unknown>, `${label}[${index}]`));
      });
    }
  }
  return errors;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
