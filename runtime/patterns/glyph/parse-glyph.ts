import { GlyphProgramError } from './glyph-errors.ts';
import type { CompareOperator, Expression, Position, Program, Stage, Statement } from './glyph-syntax.ts';
import { type Token, tokenizeGlyph } from './tokenize-glyph.ts';

const keywords = new Set([
  'if',
  'else',
  'return',
  'and',
  'or',
  'not',
  'true',
  'false',
  'null',
  'True',
  'False',
  'None',
]);
const literalWords: Record<string, boolean | null> = {
  true: true,
  false: false,
  null: null,
  True: true,
  False: false,
  None: null,
};
const compareOperators = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** The longest program the runtime parses; a model's program is a handful of lines. */
export const maxProgramLength = 20_000;

/**
 * Parses a Glyph program (hand-written recursive descent). Errors name the line and column and
 * what was expected there: they are what the model reads in a repair round.
 */
export function parseGlyph(source: string): Program {
  if (source.length > maxProgramLength) {
    throw new GlyphProgramError({ line: 1, column: 1 }, `a program may be at most ${maxProgramLength} characters`);
  }
  const tokens = tokenizeGlyph(source);
  let index = 0;
  const peek = (offset = 0): Token => tokens[Math.min(index + offset, tokens.length - 1)] as Token;
  const next = (): Token => {
    const token = peek();
    if (token.kind !== 'end') index++;
    return token;
  };
  const describe = (token: Token): string => {
    if (token.kind === 'end') return 'the end of the program';
    if (token.kind === 'newline') return 'the end of the line';
    if (token.kind === 'indent') return 'an indented line';
    if (token.kind === 'dedent') return 'the end of a block';
    if (token.kind === 'string') return `the string "${token.value}"`;
    return `'${token.value}'`;
  };
  const fail = (token: Token, expected: string): never => {
    throw new GlyphProgramError(token, `expected ${expected}, found ${describe(token)}`);
  };
  const isOp = (value: string, token = peek()) => token.kind === 'op' && token.value === value;
  const isWord = (value: string, token = peek()) => token.kind === 'name' && token.value === value;
  const expectOp = (value: string, expected = `'${value}'`): Token => (isOp(value) ? next() : fail(peek(), expected));
  const at = (token: Token): Position => ({ line: token.line, column: token.column });

  function block(): Statement[] {
    expectOp(':', "':' after the condition");
    if (peek().kind !== 'newline') fail(peek(), 'a new line after the colon');
    next();
    if (peek().kind !== 'indent') fail(peek(), 'an indented block');
    next();
    const body: Statement[] = [];
    while (peek().kind !== 'dedent' && peek().kind !== 'end') body.push(statement());
    if (peek().kind === 'dedent') next();
    return body;
  }

  function endOfLine(): void {
    if (peek().kind === 'newline') next();
    else if (peek().kind !== 'end' && peek().kind !== 'dedent') fail(peek(), 'the end of the line');
  }

  function statement(): Statement {
    const first = peek();
    if (first.kind === 'indent') fail(first, 'a statement at the indentation of the lines before it');
    if (isWord('if')) {
      next();
      const test = expression();
      const then = block();
      let otherwise: Statement[] = [];
      if (isWord('else')) {
        next();
        otherwise = block();
      }
      return { kind: 'if', test, then, otherwise, ...at(first) };
    }
    if (isWord('else')) fail(first, "a statement ('else' must follow an 'if' block)");
    if (isWord('return')) {
      next();
      const value = expression();
      endOfLine();
      return { kind: 'return', value, ...at(first) };
    }
    if (first.kind === 'name' && !keywords.has(first.value) && isOp('=', peek(1))) {
      next();
      next();
      const value = expression();
      endOfLine();
      return { kind: 'assign', target: first.value, value, ...at(first) };
    }
    const value = expression();
    endOfLine();
    return { kind: 'expression', value, ...at(first) };
  }

  // Precedence, loosest first: or, and, not, comparison, pipe, field access/call, atoms.
  function expression(): Expression {
    let left = conjunction();
    while (isWord('or')) {
      const token = next();
      left = { kind: 'logic', operator: 'or', left, right: conjunction(), ...at(token) };
    }
    return left;
  }

  function conjunction(): Expression {
    let left = negation();
    while (isWord('and')) {
      const token = next();
      left = { kind: 'logic', operator: 'and', left, right: negation(), ...at(token) };
    }
    return left;
  }

  function negation(): Expression {
    if (isWord('not')) {
      const token = next();
      return { kind: 'not', operand: negation(), ...at(token) };
    }
    return comparison();
  }

  function comparison(): Expression {
    const left = pipe();
    const token = peek();
    if (token.kind === 'op' && compareOperators.has(token.value)) {
      next();
      return { kind: 'compare', operator: token.value as CompareOperator, left, right: pipe(), ...at(token) };
    }
    return left;
  }

  function pipe(): Expression {
    const source = postfix();
    if (!isOp('|')) return source;
    const stages: Stage[] = [];
    while (isOp('|')) {
      next();
      const name = peek();
      if (name.kind !== 'name' || keywords.has(name.value)) fail(name, 'a stage (where, top or map) after |');
      next();
      expectOp('(', `'(' after the stage ${name.value}`);
      const stage: Stage = { name: name.value, positional: [], named: [], ...at(name) };
      while (!isOp(')')) {
        if (peek().kind === 'name' && isOp('=', peek(1))) {
          const argument = next();
          next();
          stage.named.push({ name: argument.value, value: expression() });
        } else {
          stage.positional.push(expression());
        }
        if (!isOp(',')) break;
        next();
      }
      expectOp(')', `',' or ')' in the arguments of ${name.value}`);
      stages.push(stage);
    }
    return { kind: 'pipe', source, stages, line: source.line, column: source.column };
  }

  function postfix(): Expression {
    let value = atom();
    while (isOp('.')) {
      next();
      const field = peek();
      if (field.kind !== 'name') fail(field, "a field name after '.'");
      next();
      value = { kind: 'field', target: value, field: field.value, ...at(field) };
    }
    return value;
  }

  function call(name: Token): Expression {
    next();
    const args: { name: string; value: Expression; at: Position }[] = [];
    while (!isOp(')')) {
      const argument = peek();
      if (argument.kind !== 'name' || !isOp('=', peek(1))) {
        fail(
          argument,
          `a named argument (name=value) in the call to ${name.value}; tools take no positional arguments`,
        );
      }
      next();
      next();
      args.push({ name: argument.value, value: expression(), at: at(argument) });
      if (!isOp(',')) break;
      next();
    }
    expectOp(')', `',' or ')' in the call to ${name.value}`);
    return { kind: 'call', tool: name.value, args, ...at(name) };
  }

  function atom(): Expression {
    const token = peek();
    if (token.kind === 'number') {
      next();
      return { kind: 'literal', value: Number(token.value), ...at(token) };
    }
    if (token.kind === 'string') {
      next();
      return { kind: 'literal', value: token.value, ...at(token) };
    }
    if (token.kind === 'name') {
      if (token.value in literalWords) {
        next();
        return { kind: 'literal', value: literalWords[token.value] ?? null, ...at(token) };
      }
      if (keywords.has(token.value)) fail(token, 'a value');
      next();
      if (isOp('(')) return call(token);
      return { kind: 'name', name: token.value, ...at(token) };
    }
    if (isOp('(')) {
      next();
      const inner = expression();
      expectOp(')', "')'");
      return inner;
    }
    if (isOp('[')) {
      next();
      const items: Expression[] = [];
      while (!isOp(']')) {
        items.push(expression());
        if (!isOp(',')) break;
        next();
      }
      expectOp(']', "',' or ']' in the list");
      return { kind: 'list', items, ...at(token) };
    }
    if (isOp('{')) return record();
    return fail(token, 'a value (a name, a call, a string, a number, true, false, null, a list or a record)');
  }

  // `{a, b: expr, "c": expr, d.e}`: a bare name or field path is shorthand for `name: name`.
  function record(): Expression {
    const open = next();
    const entries: { key: string; value: Expression }[] = [];
    while (!isOp('}')) {
      const keyToken = peek();
      if (keyToken.kind === 'string' || (keyToken.kind === 'name' && isOp(':', peek(1)))) {
        next();
        next();
        entries.push({ key: keyToken.value, value: expression() });
      } else if (keyToken.kind === 'name' && !keywords.has(keyToken.value)) {
        const value = postfix();
        entries.push({ key: value.kind === 'field' ? value.field : keyToken.value, value });
      } else {
        fail(keyToken, 'a key (name: value, "key": value, or a bare name) in the record');
      }
      if (!isOp(',')) break;
      next();
    }
    expectOp('}', "',' or '}' in the record");
    return { kind: 'record', entries, ...at(open) };
  }

  const statements: Statement[] = [];
  while (peek().kind !== 'end') {
    if (peek().kind === 'newline') {
      next();
      continue;
    }
    statements.push(statement());
  }
  return { statements };
}
