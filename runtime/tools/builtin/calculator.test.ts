import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { calculator } from './calculator.ts';

async function calculate(expression: string): Promise<unknown> {
  const result = (await runTool(calculator, { expression })) as { result: number };
  return result.result;
}

describe('calculator', () => {
  it('returns the expression and its result', async () => {
    const result = await runTool(calculator, { expression: '1 + 2' });

    expect(result).toEqual({ expression: '1 + 2', result: 3 });
  });

  it.each([
    ['2 + 3 * 4', 14],
    ['(2 + 3) * 4', 20],
    ['10 - 4 - 3', 3],
    ['100 / 10 / 5', 2],
    ['7 % 4', 3],
    ['2 ^ 3 ^ 2', 512],
    ['2 ** 10', 1024],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['2 ^ -1', 0.5],
    ['--3', 3],
    ['-(1 + 2) * 3', -9],
    ['1.5e3 + .5', 1500.5],
  ])('evaluates %s with the usual precedence', async (expression, expected) => {
    expect(await calculate(expression)).toBe(expected);
  });

  it.each([
    ['sqrt(16) + abs(-3)', 7],
    ['min(4, 2, 8) + max(1, 9)', 11],
    ['round(2.675, 1)', 2.7],
    ['round(2.5)', 3],
    ['floor(2.9) + ceil(2.1)', 5],
    ['log(1000)', 3],
    ['ln(e)', 1],
    ['exp(0)', 1],
    ['cos(0) + sin(0) + tan(0)', 1],
    ['round(pi, 2)', 3.14],
    ['SQRT(4)', 2],
  ])('evaluates the function call %s', async (expression, expected) => {
    expect(await calculate(expression)).toBe(expected);
  });

  it.each([
    ['2 + * 3', "unexpected '*' at position 5"],
    ['(1 + 2', 'unexpected end of expression at position 7'],
    ['1 + 2)', "unexpected ')' at position 6"],
    ['2 3', 'unexpected number 3 at position 3'],
    ['4 $ 2', "unexpected character '$' at position 3"],
    ['1 / 0', 'division by zero at position 3'],
    ['sqrt(-1)', 'sqrt has no real result here at position 1'],
    ['sqrt(1, 2)', 'sqrt takes 1 argument(s), not 2 at position 1'],
    ['10 ^ 400', '^ overflows at position 4'],
  ])('reports the error in %s with its position', async (expression, message) => {
    const running = runTool(calculator, { expression });

    await expect(running).rejects.toMatchObject({ code: 'invalid_input', message: `expression: ${message}` });
  });

  it.each([
    ['constructor', "unknown name 'constructor' at position 1"],
    ['__proto__', "unknown name '__proto__' at position 1"],
    ['toString(1)', "unknown function 'tostring' at position 1"],
    ['process.exit()', "unexpected character '.' at position 8"],
    ['require("fs")', `unexpected character '"' at position 9`],
    ['this', "unknown name 'this' at position 1"],
  ])('treats %s as text, never as code', async (expression, message) => {
    const running = runTool(calculator, { expression });

    await expect(running).rejects.toMatchObject({ code: 'invalid_input', message: `expression: ${message}` });
  });

  it('refuses an absurdly long expression', () => {
    const parsed = calculator.inputSchema.safeParse({ expression: `${'1+'.repeat(600)}1` });

    expect(parsed.error?.issues[0]?.path).toEqual(['expression']);
  });

  it('refuses nesting deep enough to exhaust the stack', async () => {
    const running = runTool(calculator, { expression: `${'('.repeat(300)}1${')'.repeat(300)}` });

    await expect(running).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/nested too deeply/),
    });
  });
});
