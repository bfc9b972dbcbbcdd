export interface ToolParameter {
  name: string;
  /** `string`, `number`, `one of get, set, delete`, `any`… */
  type: string;
  isRequired: boolean;
  description: string;
}

/** A tool's JSON-Schema parameters (GET /catalogue) as a list a person reads: name, type, required, what it is. */
export function describeToolParameters(schema: Record<string, unknown>): ToolParameter[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  return Object.entries(properties).map(([name, property]) => ({
    name,
    type: typeOf(property),
    isRequired: required.includes(name),
    description: typeof property.description === 'string' ? property.description : '',
  }));
}

function typeOf(property: Record<string, unknown>): string {
  if (Array.isArray(property.enum)) return `one of ${property.enum.join(', ')}`;
  if (typeof property.type === 'string') return property.type === 'integer' ? 'whole number' : property.type;
  if (Array.isArray(property.anyOf)) {
    const types = property.anyOf.map((option) => typeOf(option as Record<string, unknown>));
    return [...new Set(types)].join(' or ');
  }
  return 'any';
}
