import { describe, expect, it } from 'vitest';
import type { ToolDefinition } from '../../router/model-types.ts';
import { compileGlyph, glyphLimits } from './compile-glyph.ts';
import { GlyphProgramError } from './glyph-errors.ts';
import { parseGlyph } from './parse-glyph.ts';

const tools: ToolDefinition[] = [
  {
    name: 'datetime_now',
    description: 'The current time.',
    inputSchema: { type: 'object', properties: { timezone: { type: 'string' } } },
  },
  {
    name: 'calculator',
    description: 'Arithmetic.',
    inputSchema: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
  },
  {
    name: 'cache_store',
    description: 'A cache.',
    inputSchema: {
      type: 'object',
      properties: {
        action: { type: 'string', enum: ['get', 'set'] },
        key: { type: 'string' },
        ttl: { type: 'integer' },
        value: {},
      },
      required: ['action', 'key'],
    },
  },
];

const compile = (source: string) => compileGlyph(parseGlyph(source), tools);

function compileError(source: string): GlyphProgramError {
  try {
    compile(source);
  } catch (err) {
    if (err instanceof GlyphProgramError) return err;
    throw err;
  }
  throw new Error('the program compiled');
}

describe('compileGlyph', () => {
  it('makes a statement depend on exactly the bindings it reads, so independent ones can run together', () => {
    const plan = compile(
      [
        'a = datetime_now(timezone=context.zone)',
        'b = calculator(expression="1+1")',
        'c = cache_store(action="set", key=query, value={a, b})',
        'return {a, b, c}',
      ].join('\n'),
    );
    expect(plan.nodes.map((node) => [...node.reads].sort())).toEqual([[], [], ['a', 'b'], ['a', 'b', 'c']]);
    expect(plan.returnIndex).toBe(3);
  });

  it('lets a statement use a name bound on a later line: the program is a graph, not a script', () => {
    const plan = compile('b = calculator(expression=a.x)\na = datetime_now()\nreturn b');
    expect([...(plan.nodes[0]?.reads ?? [])]).toEqual(['a']);
  });

  it('accepts the same name bound in both branches of an if, and reads names in stages as element fields', () => {
    const plan = compile(
      [
        'rows = datetime_now()',
        'if rows.empty:',
        '    note = calculator(expression="1")',
        'else:',
        '    note = rows | where(price > 0) | top(1, by=price)',
        'return {note}',
      ].join('\n'),
    );
    expect([...(plan.nodes[1]?.writes ?? [])]).toEqual(['note']);
    expect([...(plan.nodes[1]?.reads ?? [])]).toEqual(['rows']);
  });

  it.each([
    [
      'an unknown tool',
      'x = web_serch(q=1)\nreturn x',
      1,
      5,
      "there is no tool 'web_serch'; the tools are: cache_store, calculator, datetime_now",
    ],
    [
      'an unknown argument',
      'x = datetime_now(tz="UTC")\nreturn x',
      1,
      18,
      "datetime_now has no argument 'tz'; it takes: timezone",
    ],
    [
      'a missing required argument',
      'x = cache_store(action="get")\nreturn x',
      1,
      5,
      "cache_store needs the argument 'key'",
    ],
    [
      'a literal of the wrong type',
      'x = calculator(expression=2)\nreturn x',
      1,
      16,
      "argument 'expression' must be string, not number",
    ],
    [
      'a value outside an enum',
      'x = cache_store(action="drop", key="k")\nreturn x',
      1,
      17,
      'must be one of "get", "set"',
    ],
    ['a fractional integer', 'x = cache_store(action="get", key="k", ttl=1.5)\nreturn x', 1, 40, 'must be integer'],
    [
      'an argument given twice',
      'x = datetime_now(timezone="a", timezone="b")\nreturn x',
      1,
      32,
      "'timezone' is given twice",
    ],
    ['a name never bound', 'x = calculator(expression=y)\nreturn x', 1, 27, "'y' is not bound"],
    ['a name bound twice', 'x = datetime_now()\nx = datetime_now()\nreturn x', 2, 1, "'x' is already bound on line 1"],
    ['a predefined name rebound', 'query = datetime_now()\nreturn query', 1, 1, "'query' is predefined"],
    ['a cycle', 'a = calculator(expression=b)\nb = calculator(expression=a)\nreturn a', 1, 1, 'a cycle: a -> b -> a'],
    ['an unknown stage', 'x = datetime_now() | sort(by=a)\nreturn x', 1, 22, "'sort' is not a stage"],
    ['top without by', 'x = datetime_now() | top(3)\nreturn x', 1, 22, 'top takes a count and by=field'],
    ['a program without return', 'x = datetime_now()', 1, 1, 'must end with return'],
    ['a return before the end', 'return 1\nx = datetime_now()', 1, 1, 'return must be the last statement'],
    ['a return inside a block', 'if true:\n    return 1\nreturn 2', 2, 5, 'return belongs at the end'],
  ])('refuses %s, naming the line, the column and the problem', (_, source, line, column, reason) => {
    const error = compileError(source);
    expect(error.reason).toContain(reason);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
  });

  it(`refuses a program that calls tools in more than ${glyphLimits.callSites} places`, () => {
    const lines = Array.from({ length: glyphLimits.callSites + 1 }, (_, i) => `x${i} = datetime_now()`);
    expect(compileError([...lines, 'return x0'].join('\n')).reason).toContain(
      `at most ${glyphLimits.callSites} places`,
    );
  });
});
