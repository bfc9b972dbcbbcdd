import { GlyphProgramError } from './glyph-errors.ts';

export type TokenKind = 'name' | 'number' | 'string' | 'op' | 'newline' | 'indent' | 'dedent' | 'end';

export interface Token {
  kind: TokenKind;
  /** The text of a name, operator or number; a string's decoded value. */
  value: string;
  line: number;
  column: number;
}

// Longest first, so `==` is one token and not two `=`.
const operators = ['==', '!=', '<=', '>=', '=', '<', '>', '(', ')', '[', ']', '{', '}', ',', ':', '.', '|'];
const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', "'": "'", '\\': '\\', '/': '/' };

/**
 * Splits a program into tokens. Lines matter (one statement per line) and so does indentation
 * (an `if` block), except inside brackets, where a model writes multi-line calls and records the
 * way it writes JSON or Python: there, line breaks and indentation are just space.
 */
export function tokenizeGlyph(source: string): Token[] {
  const tokens: Token[] = [];
  const indents = [0];
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let index = 0;
  let atLineStart = true;
  const column = () => index - lineStart + 1;
  const fail = (reason: string): never => {
    throw new GlyphProgramError({ line, column: column() }, reason);
  };

  while (index < source.length) {
    if (atLineStart && depth === 0) {
      let width = 0;
      while (source[index] === ' ' || source[index] === '\t') {
        width += source[index] === '\t' ? 4 : 1;
        index++;
      }
      const next = source[index];
      // Blank and comment-only lines say nothing about blocks.
      if (next === undefined || next === '\n' || next === '\r' || next === '#') {
        atLineStart = false;
        continue;
      }
      const current = indents.at(-1) ?? 0;
      if (width > current) {
        indents.push(width);
        tokens.push({ kind: 'indent', value: '', line, column: 1 });
      } else {
        while (width < (indents.at(-1) ?? 0)) {
          indents.pop();
          tokens.push({ kind: 'dedent', value: '', line, column: 1 });
        }
        if (width !== (indents.at(-1) ?? 0)) fail('this line is indented to a depth no enclosing block uses');
      }
      atLineStart = false;
      continue;
    }
    const char = source[index] as string;
    if (char === '\n') {
      if (depth === 0 && tokens.length > 0 && tokens.at(-1)?.kind !== 'newline') {
        tokens.push({ kind: 'newline', value: '\n', line, column: column() });
      }
      index++;
      line++;
      lineStart = index;
      atLineStart = true;
      continue;
    }
    if (char === ' ' || char === '\t' || char === '\r') {
      index++;
      continue;
    }
    if (char === '#') {
      while (index < source.length && source[index] !== '\n') index++;
      continue;
    }
    const start = { line, column: column() };
    if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(index)) as RegExpExecArray;
      tokens.push({ kind: 'name', value: match[0], ...start });
      index += match[0].length;
      continue;
    }
    if (/[0-9]/.test(char) || (char === '-' && /[0-9]/.test(source[index + 1] ?? ''))) {
      const match = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(index)) as RegExpExecArray;
      tokens.push({ kind: 'number', value: match[0], ...start });
      index += match[0].length;
      continue;
    }
    if (char === '"' || char === "'") {
      let value = '';
      index++;
      for (;;) {
        const next = source[index];
        if (next === undefined || next === '\n') {
          throw new GlyphProgramError(start, `a string opened at column ${start.column} is never closed`);
        }
        index++;
        if (next === char) break;
        if (next === '\\') {
          const escaped = source[index] ?? '';
          const decoded = escapes[escaped];
          if (decoded === undefined) fail(`unknown escape \\${escaped} in a string`);
          value += decoded;
          index++;
        } else {
          value += next;
        }
      }
      tokens.push({ kind: 'string', value, ...start });
      continue;
    }
    const operator = operators.find((candidate) => source.startsWith(candidate, index));
    if (operator === undefined) fail(`unexpected character '${char}'`);
    const op = operator as string;
    if (op === '(' || op === '[' || op === '{') depth++;
    if (op === ')' || op === ']' || op === '}') depth = Math.max(0, depth - 1);
    tokens.push({ kind: 'op', value: op, ...start });
    index += op.length;
  }
  if (tokens.length > 0 && tokens.at(-1)?.kind !== 'newline') {
    tokens.push({ kind: 'newline', value: '\n', line, column: column() });
  }
  while (indents.length > 1) {
    indents.pop();
    tokens.push({ kind: 'dedent', value: '', line, column: 1 });
  }
  tokens.push({ kind: 'end', value: '', line, column: column() });
  return tokens;
}
