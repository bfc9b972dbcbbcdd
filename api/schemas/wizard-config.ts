import { z } from 'zod';
import { AgentName } from '../../crds/cloud-agent.ts';
import { builtinToolNames } from '../../runtime/tools/builtin-tools.ts';
import { cloudProviders } from './cloud-providers.ts';
import { McpServerName } from './mcp-server.ts';

// The WizardConfig of the Cloud API reference (seed 003, POST /orgs/{slug}/agents): five steps,
// each optional but step1, with the defaults below. Names and types follow the reference.

export { cloudProviders };
export const CloudProvider = z.enum(cloudProviders);
export type CloudProvider = z.infer<typeof CloudProvider>;

// Patterns rather than a refinement, so the OpenAPI document states the providers too: a
// refinement has no JSON Schema, and the document then accepted any provider name.
export const ModelRef = z
  .string()
  .max(300)
  .regex(/^[a-z_]+\/\S+$/, 'must be provider/model, e.g. openai/gpt-6-luna')
  .regex(new RegExp(`^(${cloudProviders.join('|')})/`), `the provider must be one of ${cloudProviders.join(', ')}`)
  .describe('provider/model, e.g. openai/gpt-6-luna; the model part may contain further slashes.');

export const inputGuardrailNames = ['pii_filter', 'pii_detection', 'max_length'] as const;
export const outputGuardrailNames = ['pii_filter', 'pii_detection', 'content_safety', 'cost_limit'] as const;
export const memoryTypes = ['conversational'] as const;
export const memoryStrategies = ['sliding_window', 'summary', 'token_budget'] as const;
// Bounds and defaults, here once: the schemas below and the wizard catalogue (GET /catalogue) both read them.
export const windowSizeBounds = { min: 1, max: 200, default: 20 } as const;
export const maxTokensBounds = { min: 1, max: 100_000, default: 1000 } as const;

// Each step's fields once, without defaults, so the PUT patch (which must not invent values)
// and the full config (which fills defaults in) cannot drift apart.
const step1Fields = { model: ModelRef, fallback_model: ModelRef.optional() };
const step2Fields = { system_prompt: z.string().max(50_000), persona: z.string().max(200).optional() };
// The runtime runs built-in tools only, so a name is one of them (GET /v1/tools/builtin).
const ToolName = z.enum(builtinToolNames as [string, ...string[]], {
  error: `must be a built-in tool: ${builtinToolNames.join(', ')}`,
});
// Each tool once: the runtime refuses an agent that lists one twice, which surfaced as a 502 on
// deploy (found by the fuzz suite). uniqueItems says it in the document; the refinement does it.
const step3Fields = {
  tools: z
    .array(ToolName)
    .max(20)
    .refine((tools) => new Set(tools).size === tools.length, 'must not list a tool more than once')
    .meta({ uniqueItems: true }),
  // The org's MCP tool servers (PUT /orgs/{slug}/mcp-servers/{server}) whose tools the agent may
  // call; whether each exists is the org's state, checked when the agent is saved or deployed.
  mcp_servers: z
    .array(McpServerName)
    .max(10)
    .refine((servers) => new Set(servers).size === servers.length, 'must not list a server more than once')
    .meta({ uniqueItems: true })
    .describe("Names of the org's MCP servers; their tools reach the model as <server>__<tool>."),
};
const step4Fields = {
  memory_type: z.enum(memoryTypes),
  memory_strategy: z.enum(memoryStrategies),
  window_size: z.int().min(windowSizeBounds.min).max(windowSizeBounds.max),
};
const step5Fields = {
  input_guardrails: z.array(z.enum(inputGuardrailNames)).max(10),
  output_guardrails: z.array(z.enum(outputGuardrailNames)).max(10),
  max_tokens: z.int().min(maxTokensBounds.min).max(maxTokensBounds.max),
};

const Step2 = z.object({ ...step2Fields, system_prompt: step2Fields.system_prompt.default('') });
// mcp_servers is left out rather than defaulted to []: absent is none, and configs written before
// it existed (Studio's included) stay valid WizardConfig values as they are.
const Step3 = z.object({ tools: step3Fields.tools.default([]), mcp_servers: step3Fields.mcp_servers.optional() });
const Step4 = z.object({
  memory_type: step4Fields.memory_type.default('conversational'),
  memory_strategy: step4Fields.memory_strategy.default('sliding_window'),
  window_size: step4Fields.window_size.default(windowSizeBounds.default),
});
const Step5 = z.object({
  input_guardrails: step5Fields.input_guardrails.default([]),
  output_guardrails: step5Fields.output_guardrails.default([]),
  max_tokens: step5Fields.max_tokens.default(maxTokensBounds.default),
});

export const WizardConfig = z.object({
  name: AgentName,
  display_name: z.string().min(1).max(128).optional(),
  step1: z.object(step1Fields),
  step2: Step2.default(Step2.parse({})),
  step3: Step3.default(Step3.parse({})),
  step4: Step4.default(Step4.parse({})),
  step5: Step5.default(Step5.parse({})),
});
export type WizardConfig = z.infer<typeof WizardConfig>;
export type WizardConfigInput = z.input<typeof WizardConfig>;

/** PUT body: any subset of the steps, merged into the stored config field by field. */
export const WizardConfigPatch = z.object({
  name: AgentName.optional(),
  display_name: z.string().min(1).max(128).optional(),
  // null removes the fallback: an absent key keeps the stored one, as for every other field.
  step1: z
    .object({ ...step1Fields, fallback_model: ModelRef.nullable() })
    .partial()
    .optional(),
  step2: z.object(step2Fields).partial().optional(),
  step3: z.object(step3Fields).partial().optional(),
  step4: z.object(step4Fields).partial().optional(),
  step5: z.object(step5Fields).partial().optional(),
});
export type WizardConfigPatch = z.infer<typeof WizardConfigPatch>;

/** The stored config with a patch applied: steps merge key by key, lists are replaced whole. */
export function mergeWizardConfig(current: WizardConfig, patch: WizardConfigPatch): WizardConfigInput {
  return {
    name: current.name,
    display_name: patch.display_name ?? current.display_name,
    step1: mergeStep1(current.step1, patch.step1),
    step2: { ...current.step2, ...patch.step2 },
    step3: { ...current.step3, ...patch.step3 },
    step4: { ...current.step4, ...patch.step4 },
    step5: { ...current.step5, ...patch.step5 },
  };
}

function mergeStep1(current: WizardConfig['step1'], patch: WizardConfigPatch['step1']): WizardConfig['step1'] {
  const { fallback_model: fallback, ...rest } = { ...current, ...patch };
  return { ...rest, ...(fallback ? { fallback_model: fallback } : {}) };
}
