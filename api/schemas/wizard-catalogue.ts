import { z } from 'zod';

// Imports zod only, so Studio (studio/src/api) can take its types without pulling in the API.

const Choice = z.object({ name: z.string(), description: z.string() });
const Bounds = z.object({ min: z.int(), max: z.int(), default: z.int() });

/**
 * What the agent wizard offers (GET /catalogue), read from the code the API validates a
 * WizardConfig with, so the wizard cannot offer what the API refuses.
 */
export const WizardCatalogue = z.object({
  providers: z
    .array(
      z.object({
        name: z.string(),
        suggested_models: z
          .array(z.object({ model: z.string().describe('provider/model, as step1.model takes it.'), note: z.string() }))
          .describe('Current models no provider has scheduled for removal, the cheap, fast one first.'),
      }),
    )
    .describe('Providers accepted in step1 (provider/model).'),
  default_model: z.string().nullable().describe('The model the wizard starts from, provider/model; null if none.'),
  tools: z
    .array(
      Choice.extend({
        parameters: z.record(z.string(), z.unknown()).describe('The JSON Schema of what the model passes.'),
      }),
    )
    .describe('Built-in tools accepted in step3.tools.'),
  guardrails: z.object({
    input: z.array(Choice).describe('Accepted in step5.input_guardrails.'),
    output: z.array(Choice).describe('Accepted in step5.output_guardrails.'),
  }),
  memory: z.object({
    types: z.array(z.string()).describe('Accepted in step4.memory_type.'),
    strategies: z.array(Choice).describe('Accepted in step4.memory_strategy.'),
    window_size: Bounds.describe('step4.window_size: turns kept (sliding_window) or before summarising (summary).'),
  }),
  max_tokens: Bounds.describe('step5.max_tokens: the most tokens one model answer may hold.'),
});
export type WizardCatalogue = z.infer<typeof WizardCatalogue>;
