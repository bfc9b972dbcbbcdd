import { z } from 'zod';
import { type Tool, ToolError } from '../tool-types.ts';
import { ExpressionError, evaluateExpression, maxExpressionLength } from './evaluate-expression.ts';

const CalculatorInput = z.object({
  expression: z
    .string()
    .min(1)
    .max(maxExpressionLength)
    .describe('Arithmetic expression, e.g. "(12.5 * 4 + sqrt(16)) / 3" or "round(100 * 1.07^5, 2)".'),
});
type CalculatorInput = z.infer<typeof CalculatorInput>;

export const calculator: Tool<CalculatorInput> = {
  name: 'calculator',
  description:
    'Evaluate an arithmetic expression exactly instead of computing it in your head. Supports numbers, ' +
    '+ - * / % ^ (power), parentheses, unary minus, the functions sqrt abs min max round(x, digits) floor ceil ' +
    'log (base 10) ln exp sin cos tan (radians), and the constants pi and e.',
  inputSchema: CalculatorInput,
  async run(input) {
    try {
      return { expression: input.expression, result: evaluateExpression(input.expression) };
    } catch (err) {
      if (err instanceof ExpressionError) throw new ToolError('invalid_input', `expression: ${err.message}`);
      throw err;
    }
  },
};
