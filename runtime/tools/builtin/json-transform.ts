import { Liquid } from 'liquidjs';
import { z } from 'zod';
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

// Bounds on what one template may cost; the model writes the template, so it is untrusted.
const renderLimitMs = 1_000;
const memoryLimitBytes = 10 * 1024 * 1024;

export const jsonTransform: Tool<JsonTransformInput> = {
  name: 'json_transform',
  description:
    'Reshape JSON data with a Liquid template: select, rename, filter or reformat fields. The input is ' +
    'available as `data`. If the rendered text is valid JSON you get the parsed value back, otherwise the ' +
    'rendered string. Use it to turn one tool result into the shape another tool or the answer needs.',
  inputSchema: JsonTransformInput,
  async run(input) {
    // A fresh engine per call, with in-memory templates only: include/render/layout can never
    // read the file system, and ownPropertyOnly hides prototypes (constructor, __proto__).
    const engine = new Liquid({
      templates: {},
      ownPropertyOnly: true,
      strictFilters: true,
      parseLimit: 100_000,
      renderLimit: renderLimitMs,
      memoryLimit: memoryLimitBytes,
    });
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
