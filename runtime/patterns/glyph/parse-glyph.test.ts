import { describe, expect, it } from 'vitest';
import { GlyphProgramError } from './glyph-errors.ts';
import { parseGlyph } from './parse-glyph.ts';

function parseError(source: string): GlyphProgramError {
  try {
    parseGlyph(source);
  } catch (err) {
    if (err instanceof GlyphProgramError) return err;
    throw err;
  }
  throw new Error('the program parsed');
}

describe('parseGlyph', () => {
  it('reads bindings, calls with named arguments, references to fields, records with shorthand keys and a return', () => {
    const program = parseGlyph(
      [
        '# the time here and in UTC',
        'local = datetime_now(timezone=context.zone)',
        "utc = datetime_now(timezone='UTC')",
        'both = json_transform(',
        '    data={local, utc, "when": utc.iso, n: 3, ok: true, none: null},',
        '    template="{{ data.local }}"',
        ')',
        'return {local, utc, both}',
      ].join('\n'),
    );
    expect(program.statements.map((statement) => statement.kind)).toEqual(['assign', 'assign', 'assign', 'return']);
    expect(program.statements[0]).toMatchObject({
      kind: 'assign',
      target: 'local',
      line: 2,
      value: {
        kind: 'call',
        tool: 'datetime_now',
        args: [
          { name: 'timezone', value: { kind: 'field', field: 'zone', target: { kind: 'name', name: 'context' } } },
        ],
      },
    });
    expect(program.statements[2]).toMatchObject({
      value: {
        args: [
          {
            name: 'data',
            value: {
              kind: 'record',
              entries: [
                { key: 'local', value: { kind: 'name', name: 'local' } },
                { key: 'utc', value: { kind: 'name', name: 'utc' } },
                { key: 'when', value: { kind: 'field', field: 'iso' } },
                { key: 'n', value: { kind: 'literal', value: 3 } },
                { key: 'ok', value: { kind: 'literal', value: true } },
                { key: 'none', value: { kind: 'literal', value: null } },
              ],
            },
          },
          { name: 'template', value: { kind: 'literal', value: '{{ data.local }}' } },
        ],
      },
    });
  });

  it('reads pipes with their stages, comparisons, and an if/else block', () => {
    const program = parseGlyph(
      [
        'v = search(q=query)',
        'cheap = v | where(kind == "oem", stock > 0) | top(3, by=price, asc=true)',
        'if cheap.empty and not v.empty:',
        '    note = ask(prompt="why?")',
        'else:',
        '    note = cheap | map({sku, price})',
        'return {note}',
      ].join('\n'),
    );
    expect(program.statements[1]).toMatchObject({
      value: {
        kind: 'pipe',
        stages: [
          {
            name: 'where',
            positional: [
              { kind: 'compare', operator: '==' },
              { kind: 'compare', operator: '>' },
            ],
          },
          { name: 'top', positional: [{ kind: 'literal', value: 3 }], named: [{ name: 'by' }, { name: 'asc' }] },
        ],
      },
    });
    expect(program.statements[2]).toMatchObject({
      kind: 'if',
      test: { kind: 'logic', operator: 'and' },
      // biome-ignore lint/suspicious/noThenProperty: an if statement's branch is called `then`
      then: [{ kind: 'assign', target: 'note' }],
      otherwise: [{ kind: 'assign', target: 'note', value: { kind: 'pipe', stages: [{ name: 'map' }] } }],
    });
  });

  it.each([
    ['a positional argument', 'x = f(1)', 1, 7, 'expected a named argument (name=value) in the call to f'],
    ['an unclosed call', 'x = f(a=1\ny = 2', 2, 1, "expected ',' or ')' in the call to f, found 'y'"],
    ['a missing value', 'x = ', 1, 5, 'expected a value'],
    ['an unclosed string', 'x = f(a="abc)', 1, 9, 'a string opened at column 9 is never closed'],
    ['an unknown character', 'x = f(a=1) + 2', 1, 12, "unexpected character '+'"],
    ['a block without a colon', 'if x\n    y = f()', 1, 5, "expected ':' after the condition"],
    ['an else without an if', 'else:\n    y = f()', 1, 1, "'else' must follow an 'if' block"],
    ['two statements on a line', 'x = f() y = g()', 1, 9, 'expected the end of the line'],
    ['a stray indentation', 'x = f()\n    y = g()', 2, 1, 'expected a statement at the indentation'],
  ])('refuses %s, naming the line, the column and what was expected', (_, source, line, column, reason) => {
    const error = parseError(source);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message).toContain(`line ${line}, column ${column}: `);
    expect(error.reason).toContain(reason);
  });
});
