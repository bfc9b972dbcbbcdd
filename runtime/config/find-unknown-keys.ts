import type { z } from 'zod';

export interface UnknownKey {
  /** Path of the key itself, e.g. ['spec', 'model', 'primary', 'context_window']. */
  path: (string | number)[];
  /** The keys the schema knows at that place, for the message. */
  known: string[];
  /** The object schema the key was found in, so a caller can tell a model block from a guardrail. */
  owner: z.ZodType;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
  getter?: () => z.ZodType;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every key of `value` that `schema` does not declare. zod strips such keys silently; upstream
 * Astromesh warns about them, and so do we (or refuse them, where ignoring would change what
 * runs: the caller decides). Called only on a value the schema accepted, and iterative, so a
 * deep document cannot exhaust the stack.
 */
export function findUnknownKeys(schema: z.ZodType, value: unknown): UnknownKey[] {
  const found: UnknownKey[] = [];
  const stack: { schema: z.ZodType; value: unknown; path: (string | number)[] }[] = [{ schema, value, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const current = unwrap(next.schema);
    const def = defOf(current);
    const item = next.value;
    if (item === null || typeof item !== 'object') continue;
    if (def.type === 'object' && def.shape && !Array.isArray(item)) {
      const shape = def.shape;
      const known = Object.keys(shape);
      for (const [key, child] of Object.entries(item)) {
        const childSchema = shape[key];
        if (childSchema === undefined) found.push({ path: [...next.path, key], known, owner: current });
        else stack.push({ schema: childSchema, value: child, path: [...next.path, key] });
      }
    } else if (def.type === 'array' && def.element && Array.isArray(item)) {
      const element = def.element;
      item.forEach((child, index) => {
        stack.push({ schema: element, value: child, path: [...next.path, index] });
      });
    } else if (def.type === 'record' && def.valueType && !Array.isArray(item)) {
      const valueType = def.valueType;
      for (const [key, child] of Object.entries(item)) {
        stack.push({ schema: valueType, value: child, path: [...next.path, key] });
      }
    }
    // Anything else (z.unknown() maps such as tool config) is free-form: every key is the author's.
  }
  return found.sort((a, b) => a.path.join('\u0000').localeCompare(b.path.join('\u0000')));
}

/** Sees through optional, default, nullable, pipe and lazy to the schema that has a shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    const def = defOf(current);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined) ?? def.getter?.();
    if (inner === undefined) return current;
    current = inner;
  }
  return current;
}
