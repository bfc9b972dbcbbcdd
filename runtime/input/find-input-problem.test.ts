import { describe, expect, it } from 'vitest';
import { findInputProblem } from './find-input-problem.ts';

/** `{ a: { a: … value } }`, `levels` objects deep. */
function nested(levels: number, value: unknown = 1): unknown {
  let result = value;
  for (let level = 0; level < levels; level++) result = { a: result };
  return result;
}

describe('findInputProblem', () => {
  it('accepts a document nested exactly 32 levels', () => {
    expect(findInputProblem(nested(32))).toBeUndefined();
  });

  it('names the first object past 32 levels', () => {
    const problem = findInputProblem(nested(33));

    expect(problem).toEqual({ path: Array(32).fill('a'), message: 'nested deeper than 32 levels' });
  });

  it('checks a value nested far deeper than the call stack without overflowing it', () => {
    const deepArrays = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);

    expect(findInputProblem(deepArrays)?.message).toBe('nested deeper than 32 levels');
  });

  it('counts from rootDepth, for a field checked apart from its document', () => {
    expect(findInputProblem(nested(31), { rootDepth: 2 })).toBeUndefined();
    expect(findInputProblem(nested(32), { rootDepth: 2 })?.message).toBe('nested deeper than 32 levels');
  });

  it('names a NUL in a string value, in an array too', () => {
    expect(findInputProblem({ name: 'a\u0000b' })).toEqual({
      path: ['name'],
      message: 'must not contain NUL (U+0000)',
    });
    expect(findInputProblem({ tags: ['ok', 'bad\u0000'] })?.path).toEqual(['tags', 1]);
  });

  it('names a NUL in a key', () => {
    expect(findInputProblem({ step1: { 'mo\u0000del': 'x' } })).toEqual({
      path: ['step1', 'mo\u0000del'],
      message: 'its key must not contain NUL (U+0000)',
    });
  });

  it('refuses a __proto__ key at any level, as JSON.parse makes it: an own property', () => {
    const body = JSON.parse('{"step1": {"__proto__": {"isAdmin": true}}}');

    expect(findInputProblem(body)).toEqual({ path: ['step1', '__proto__'], message: 'this key is not allowed' });
  });

  it('reports the first problem in document order', () => {
    const body = { first: { deep: 'x\u0000' }, second: 'y\u0000' };

    expect(findInputProblem(body)?.path).toEqual(['first', 'deep']);
  });

  it('accepts ordinary values: numbers, booleans, null, empty containers', () => {
    expect(findInputProblem({ a: [1, true, null, {}, [], 'text'], b: 2.5 })).toBeUndefined();
  });
});
