import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toStructuralSchema, UnsupportedSchema } from './to-structural-schema.ts';

const structural = (schema: z.ZodType) =>
  toStructuralSchema(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as Record<string, unknown>);

describe('toStructuralSchema', () => {
  it('keeps types, bounds, patterns, enums and descriptions', () => {
    const schema = z.object({
      name: z
        .string()
        .min(1)
        .max(63)
        .regex(/^[a-z]+$/)
        .describe('the name'),
      phase: z.enum(['Ready', 'Failed']),
      replicas: z.int().min(0).max(10),
    });

    expect(structural(schema)).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 63, pattern: '^[a-z]+$', description: 'the name' },
        phase: { type: 'string', enum: ['Ready', 'Failed'] },
        replicas: { type: 'integer', minimum: 0, maximum: 10 },
      },
      required: ['name', 'phase', 'replicas'],
    });
  });

  it('drops additionalProperties: false, which a structural schema forbids', () => {
    expect(structural(z.strictObject({ a: z.string() }))).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
    });
  });

  it('marks free-form maps and unknown values to preserve unknown fields', () => {
    const schema = z.object({ config: z.record(z.string(), z.unknown()), anything: z.unknown() });

    expect(structural(schema).properties).toEqual({
      config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      anything: { 'x-kubernetes-preserve-unknown-fields': true },
    });
  });

  it('keeps typed maps as additionalProperties', () => {
    expect(structural(z.record(z.string(), z.string().max(5)))).toEqual({
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 5 },
    });
  });

  it('makes fields with a default optional and leaves defaulting to the runtime', () => {
    const result = structural(z.object({ paused: z.boolean().default(false) }));

    expect(result).toEqual({ type: 'object', properties: { paused: { type: 'boolean' } } });
  });

  it('replaces the ECMAScript date regex with the date-time format the API server checks', () => {
    expect(structural(z.iso.datetime())).toEqual({ type: 'string', format: 'date-time' });
  });

  it('drops formats the API server does not know', () => {
    expect(structural(z.string().max(10).meta({ format: 'emoji' }))).toEqual({ type: 'string', maxLength: 10 });
  });

  it('omits the safe-integer bounds that z.int() adds', () => {
    expect(structural(z.int())).toEqual({ type: 'integer' });
  });

  it('carries x-kubernetes-* extensions given with .meta()', () => {
    const schema = z
      .array(z.object({ type: z.string() }))
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });

    expect(structural(schema)).toMatchObject({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    });
  });

  it('refuses a union and names where it is', () => {
    const schema = z.object({ spec: z.object({ target: z.union([z.string(), z.number()]) }) });

    expect(() => structural(schema)).toThrow(
      new UnsupportedSchema("spec.target: 'anyOf' cannot be expressed as a structural schema"),
    );
  });

  it('refuses a keyword it cannot translate instead of dropping it', () => {
    expect(() => toStructuralSchema({ type: 'object', patternProperties: { '^a': { type: 'string' } } })).toThrow(
      "<root>: unsupported JSON Schema keyword 'patternProperties'",
    );
  });
});
