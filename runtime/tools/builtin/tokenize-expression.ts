/** Why an expression could not be evaluated; `position` is 1-based, in characters. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
  readonly position: number;

  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.position = position;
  }
}

export type Token =
  | { kind: 'number'; value: number; position: number }
  | { kind: 'name'; name: string; position: number }
  | { kind: 'operator'; operator: string; position: number }
  | { kind: 'end'; position: number };

/** Splits an expression into numbers, names (lower-cased) and operators; ** becomes ^. */
export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[-+*/%^(),]))/y;
  let index = 0;
  while (index < expression.length) {
    if (/^\s*$/.test(expression.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(expression);
    if (!match) {
      const offset = index + (/^\s*/.exec(expression.slice(index))?.[0].length ?? 0);
      throw new ExpressionError(`unexpected character '${expression[offset]}'`, offset + 1);
    }
    const [whole, number, name, operator] = match;
    const position = index + whole.length - (number ?? name ?? operator ?? '').length + 1;
    if (number !== undefined) tokens.push({ kind: 'number', value: Number(number), position });
    else if (name !== undefined) tokens.push({ kind: 'name', name: name.toLowerCase(), position });
    else tokens.push({ kind: 'operator', operator: operator === '**' ? '^' : (operator ?? ''), position });
    index += whole.length;
  }
  tokens.push({ kind: 'end', position: expression.length + 1 });
  return tokens;
}
