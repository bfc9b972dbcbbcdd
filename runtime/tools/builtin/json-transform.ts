import { z } from 'zod';
import { createSafeTemplateEngine } from '../../config/safe-template-engine.ts';
import { type Tool, ToolError } from '../tool-types.ts';

const JsonTransformInput = z.object({
  data: z.unknown().describe('The JSON value to transform; the template sees it as `data`.'),
  template: z
    .string()
    .min(1)
    .max(100_000)
    .describe(
      'Liquid template, e.g. {"names": [{% for u in data.users %}"{{ u.name }}"{% unless forloop.last %},{% endunless %}{% endfor %}]}',
    ),
});
type JsonTransformInput = z.infer<typeof JsonTransformInput>;

export const jsonTransform: Tool<JsonTransformInput> = {
  name: 'json_transform',
  description:
    'Reshape JSON data with a Liquid template: select, rename, filter or reformat fields. The input is ' +
    'available as `data`. If the rendered text is valid JSON you get the parsed value back, otherwise the ' +
    'rendered string. Use it to turn one tool result into the shape another tool or the answer needs.',
  inputSchema: JsonTransformInput,
  async run(input) {
    // The model writes the template, so it is untrusted: the safe engine cannot read files or
    // prototypes and bounds render time and memory.
    const engine = createSafeTemplateEngine();
    let rendered: string;
    try {
      rendered = await engine.parseAndRender(input.template, { data: input.data });
    } catch (err) {
      throw new ToolError('invalid_input', `template: ${(err as Error).message}`);
    }
    try {
      return JSON.parse(rendered);
    } catch {
      return rendered;
    }
  },
};
