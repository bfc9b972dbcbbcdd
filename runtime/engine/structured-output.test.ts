import { describe, expect, it } from 'vitest';
import { extractJson, normalizeOutputSchema, structuredOutputOf } from './structured-output.ts';

const lead = normalizeOutputSchema({
  score: { type: 'integer' },
  next_action: { type: 'string', enum: ['call', 'email', 'drop'] },
  contacts: { type: 'array', items: { type: 'string' } },
});

describe("spec.output_schema's data and data_error (upstream's rules)", () => {
  it("reads upstream's shorthand as the properties of an object, and keeps a real schema as written", () => {
    expect(normalizeOutputSchema({ score: { type: 'integer' } })).toEqual({
      type: 'object',
      properties: { score: { type: 'integer' } },
    });
    expect(normalizeOutputSchema({ type: 'object', required: ['score'] })).toEqual({
      type: 'object',
      properties: {},
      required: ['score'],
    });
  });

  it('takes the last fenced block that parses, else the whole answer, else nothing', () => {
    expect(extractJson('Draft:\n```json\n{"a": 1}\n```\nFixed:\n```json\n{"a": 2}\n```')).toEqual({ a: 2 });
    expect(extractJson('```json\n{"a": 1}\n```\n```\nnot json\n```')).toEqual({ a: 1 });
    expect(extractJson(' {"a": 3} ')).toEqual({ a: 3 });
    expect(extractJson('No JSON here.')).toBeUndefined();
  });

  it('returns valid data with no error, and null data with every mismatch named by its path', () => {
    expect(structuredOutputOf('Hot lead.\n```json\n{"score": 85, "next_action": "call"}\n```', lead)).toEqual({
      data: { score: 85, next_action: 'call' },
      data_error: null,
    });
    expect(
      structuredOutputOf('```json\n{"score": "high", "next_action": "visit", "contacts": ["ana", 7]}\n```', lead),
    ).toEqual({
      data: null,
      data_error:
        'score: expected integer, got string; next_action: "visit" is not one of ["call","email","drop"]; contacts[1]: expected string, got integer',
    });
    expect(structuredOutputOf('```json\n{"score": 1.5}\n```', lead).data_error).toBe(
      'score: expected integer, got number',
    );
    expect(structuredOutputOf('{}', { type: 'object', required: ['score'] }).data_error).toBe(
      'score: required field missing',
    );
    expect(structuredOutputOf('Sorry, no idea.', lead)).toEqual({
      data: null,
      data_error: 'no valid JSON object found in the answer',
    });
  });

  it('accepts a list of types, and ignores keywords outside its subset rather than refusing the answer', () => {
    const schema = { type: 'object', properties: { note: { type: ['string', 'null'], maxLength: 1 } } };
    expect(structuredOutputOf('{"note": null}', schema).data_error).toBeNull();
    expect(structuredOutputOf('{"note": "longer than one"}', schema).data_error).toBeNull();
    expect(structuredOutputOf('{"note": 3}', schema).data_error).toBe('note: expected string or null, got integer');
  });
});
