import { ExpressionError, type Token, tokenize } from './tokenize-expression.ts';

export { ExpressionError } from './tokenize-expression.ts';

export const maxExpressionLength = 1_000;
// Deep enough for any real formula, shallow enough that "((((…" cannot exhaust the stack.
const maxNestingDepth = 100;

const functions = new Map<string, { arity: [min: number, max: number]; apply: (...args: number[]) => number }>([
  ['sqrt', { arity: [1, 1], apply: Math.sqrt }],
  ['abs', { arity: [1, 1], apply: Math.abs }],
  ['min', { arity: [1, Number.POSITIVE_INFINITY], apply: Math.min }],
  ['max', { arity: [1, Number.POSITIVE_INFINITY], apply: Math.max }],
  ['round', { arity: [1, 2], apply: (x = 0, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits }],
  ['floor', { arity: [1, 1], apply: Math.floor }],
  ['ceil', { arity: [1, 1], apply: Math.ceil }],
  ['log', { arity: [1, 1], apply: Math.log10 }],
  ['ln', { arity: [1, 1], apply: Math.log }],
  ['exp', { arity: [1, 1], apply: Math.exp }],
  ['sin', { arity: [1, 1], apply: Math.sin }],
  ['cos', { arity: [1, 1], apply: Math.cos }],
  ['tan', { arity: [1, 1], apply: Math.tan }],
]);

const constants = new Map<string, number>([
  ['pi', Math.PI],
  ['e', Math.E],
]);

/**
 * Evaluates an arithmetic expression with a hand-written parser: numbers, + - * / % ^ (or **),
 * parentheses, unary minus and the functions and constants above. Names are looked up in Maps,
 * never on objects, and nothing is ever passed to eval or Function, so "constructor" or
 * "process.exit()" are just unknown names. Precedence: ^ binds tighter than unary minus
 * (-2^2 = -4) and is right-associative (2^3^2 = 512).
 */
export function evaluateExpression(expression: string): number {
  if (expression.length > maxExpressionLength) {
    throw new ExpressionError(
      `the expression is longer than ${maxExpressionLength} characters`,
      maxExpressionLength + 1,
    );
  }
  const parser = createParser(tokenize(expression));
  const value = parser.parseExpression();
  parser.expectEnd();
  if (!Number.isFinite(value)) throw new ExpressionError('the result is too large', 1);
  return value;
}

function createParser(tokens: Token[]) {
  let index = 0;
  let depth = 0;
  const peek = (): Token => tokens[index] ?? { kind: 'end', position: 0 };
  const isOperator = (operator: string) => {
    const token = peek();
    return token.kind === 'operator' && token.operator === operator;
  };
  const unexpected = (token: Token) =>
    new ExpressionError(
      token.kind === 'end' ? 'unexpected end of expression' : `unexpected ${describe(token)}`,
      token.position,
    );
  const expect = (operator: string) => {
    if (!isOperator(operator)) throw unexpected(peek());
    index += 1;
  };
  const nested = <T>(parse: () => T): T => {
    depth += 1;
    if (depth > maxNestingDepth) throw new ExpressionError('the expression is nested too deeply', peek().position);
    try {
      return parse();
    } finally {
      depth -= 1;
    }
  };

  function parseExpression(): number {
    let value = parseTerm();
    while (isOperator('+') || isOperator('-')) {
      const operator = peek() as { operator: string };
      index += 1;
      const right = parseTerm();
      value = operator.operator === '+' ? value + right : value - right;
    }
    return value;
  }

  function parseTerm(): number {
    let value = parseUnary();
    while (isOperator('*') || isOperator('/') || isOperator('%')) {
      const token = peek() as { operator: string; position: number };
      index += 1;
      const right = parseUnary();
      if (token.operator !== '*' && right === 0) throw new ExpressionError('division by zero', token.position);
      value = token.operator === '*' ? value * right : token.operator === '/' ? value / right : value % right;
    }
    return value;
  }

  function parseUnary(): number {
    if (isOperator('-') || isOperator('+')) {
      const isNegative = isOperator('-');
      index += 1;
      const value = nested(parseUnary);
      return isNegative ? -value : value;
    }
    return parsePower();
  }

  function parsePower(): number {
    const base = parsePrimary();
    if (!isOperator('^')) return base;
    const position = peek().position;
    index += 1;
    return checked(base ** nested(parseUnary), '^', position);
  }

  function parsePrimary(): number {
    const token = peek();
    index += 1;
    if (token.kind === 'number') return token.value;
    if (token.kind === 'operator' && token.operator === '(') {
      const value = nested(parseExpression);
      expect(')');
      return value;
    }
    if (token.kind === 'name') return isOperator('(') ? parseCall(token) : constantValue(token);
    throw unexpected(token);
  }

  function parseCall(token: { name: string; position: number }): number {
    const fn = functions.get(token.name);
    if (!fn) throw new ExpressionError(`unknown function '${token.name}'`, token.position);
    expect('(');
    const args = [nested(parseExpression)];
    while (isOperator(',')) {
      index += 1;
      args.push(nested(parseExpression));
    }
    expect(')');
    const [min, max] = fn.arity;
    if (args.length < min || args.length > max) {
      const expected =
        min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} or ${max}`;
      throw new ExpressionError(`${token.name} takes ${expected} argument(s), not ${args.length}`, token.position);
    }
    return checked(fn.apply(...args), token.name, token.position);
  }

  function constantValue(token: { name: string; position: number }): number {
    const value = constants.get(token.name);
    if (value === undefined) throw new ExpressionError(`unknown name '${token.name}'`, token.position);
    return value;
  }

  return {
    parseExpression: () => nested(parseExpression),
    expectEnd() {
      if (peek().kind !== 'end') throw unexpected(peek());
    },
  };
}

function checked(value: number, operation: string, position: number): number {
  if (Number.isNaN(value)) throw new ExpressionError(`${operation} has no real result here`, position);
  if (!Number.isFinite(value)) throw new ExpressionError(`${operation} overflows`, position);
  return value;
}

function describe(token: Token): string {
  if (token.kind === 'number') return `number ${token.value}`;
  if (token.kind === 'name') return `name '${token.name}'`;
  if (token.kind === 'operator') return `'${token.operator}'`;
  return 'end of expression';
}
