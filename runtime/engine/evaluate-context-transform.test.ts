import { describe, expect, it } from 'vitest';
import {
  ContextTransformError,
  evaluateContextTransform,
  findContextTransformProblem,
} from './evaluate-context-transform.ts';

// An agent tool's context_transform, upstream's mapping over `data` (the call's arguments).

describe('evaluateContextTransform', () => {
  const data = { score: 42, lead: { name: 'ada', tags: ['vip'] }, note: 'a, b: {c}' };

  it('reads bare and quoted keys, nested mappings and lists, paths, literals and filters', async () => {
    const value = await evaluateContextTransform(
      `{score: data.score, 'lead': {name: data.lead.name | upcase, first_tag: data.lead.tags[0]}, "list": [data.score, 'x', 3, true], note: data.note,}`,
      data,
    );

    expect(value).toEqual({
      score: 42,
      lead: { name: 'ADA', first_tag: 'vip' },
      list: [42, 'x', 3, true],
      note: 'a, b: {c}',
    });
  });

  it('gives null for an argument the call did not pass, as a missing key has no value', async () => {
    expect(await evaluateContextTransform('{region: data.region}', data)).toEqual({ region: null });
  });

  it('takes a filter with an argument after its colon (the first colon splits key from value)', async () => {
    expect(await evaluateContextTransform("{region: data.region | default: 'emea'}", data)).toEqual({ region: 'emea' });
  });

  it('is an empty context for {}', async () => {
    expect(await evaluateContextTransform('  {}  ', data)).toEqual({});
  });

  it('refuses a value that is not a mapping: it becomes the prompt variables', async () => {
    await expect(evaluateContextTransform('data.score', data)).rejects.toThrow(
      new ContextTransformError('it must be a mapping, e.g. {score: data.score}'),
    );
    await expect(evaluateContextTransform('[data.score]', data)).rejects.toBeInstanceOf(ContextTransformError);
  });
});

describe('findContextTransformProblem', () => {
  it('accepts what evaluates', () => {
    expect(findContextTransformProblem('{city: data.query}')).toBeUndefined();
  });

  it.each([
    ['{score data.score}', "'score data.score' is not key: value"],
    ['{a: data.x | nosuchfilter}', "'data.x | nosuchfilter' is not an expression: undefined filter: nosuchfilter"],
    ["{a: 'x}", 'unbalanced quotes or brackets'],
    ['{a: (data.x}', 'unbalanced quotes or brackets'],
    ['{a b: 1}', "'a b' is not a key name"],
    ['{a: }', "'a:' is not key: value"],
    ['{a: {b: {c: {d: {e: {f: {g: {h: {i: {j: 1}}}}}}}}}}', 'nested more than 8 levels'],
  ])('names why %s cannot be read', (transform, problem) => {
    expect(findContextTransformProblem(transform)).toContain(problem);
  });
});
