/** The wizard's steps (seed 000/003), then the review; the id is what `?step=` holds. */
export const wizardSteps = [
  { id: 'model', number: 1, title: 'Name and model' },
  { id: 'prompt', number: 2, title: 'Prompt' },
  { id: 'tools', number: 3, title: 'Tools' },
  { id: 'memory', number: 4, title: 'Memory' },
  { id: 'guardrails', number: 5, title: 'Guardrails' },
  { id: 'review', number: 6, title: 'Review' },
] as const;
export type WizardStepId = (typeof wizardSteps)[number]['id'];

/** The id of every control an API error can point at; a fieldset's error goes to its first box. */
export const controlIds = {
  name: 'wizard-name',
  displayName: 'wizard-display-name',
  model: 'wizard-model',
  fallbackModel: 'wizard-fallback-model',
  systemPrompt: 'wizard-system-prompt',
  persona: 'wizard-persona',
  tools: 'wizard-tools',
  mcpServers: 'wizard-mcp-servers',
  memoryType: 'wizard-memory-type',
  memoryStrategy: 'wizard-memory-strategy',
  windowSize: 'wizard-window-size',
  inputGuardrails: 'wizard-input-guardrails',
  outputGuardrails: 'wizard-output-guardrails',
  maxTokens: 'wizard-max-tokens',
} as const;
export type ControlId = (typeof controlIds)[keyof typeof controlIds];

export function stepOf(id: string | undefined): WizardStepId {
  return wizardSteps.find((step) => step.id === id)?.id ?? 'model';
}

// WizardConfig fields (as ApiError.field and compile issues name them) → the step and control.
const targets: [RegExp, WizardStepId, ControlId][] = [
  [/^name$/, 'model', controlIds.name],
  [/^display_name$/, 'model', controlIds.displayName],
  [/^step1\.fallback_model$/, 'model', controlIds.fallbackModel],
  [/^step1(\.|$)/, 'model', controlIds.model],
  [/^step2\.persona$/, 'prompt', controlIds.persona],
  [/^step2(\.|$)/, 'prompt', controlIds.systemPrompt],
  [/^step3\.mcp_servers/, 'tools', controlIds.mcpServers],
  [/^step3(\.|$)/, 'tools', controlIds.tools],
  [/^step4\.memory_type$/, 'memory', controlIds.memoryType],
  [/^step4\.window_size$/, 'memory', controlIds.windowSize],
  [/^step4(\.|$)/, 'memory', controlIds.memoryStrategy],
  [/^step5\.input_guardrails/, 'guardrails', controlIds.inputGuardrails],
  [/^step5\.output_guardrails/, 'guardrails', controlIds.outputGuardrails],
  [/^step5(\.|$)/, 'guardrails', controlIds.maxTokens],
];

/**
 * Where the wizard shows an error the API names by field: `step3.tools[1]` (a route's 400),
 * `step3.tools.1` (a merged PUT's) and `step4` (a runtime issue) all find their control.
 */
export function fieldTarget(field: string | undefined): { step: WizardStepId; control: ControlId } | undefined {
  if (!field) return undefined;
  const found = targets.find(([pattern]) => pattern.test(field));
  return found ? { step: found[1], control: found[2] } : undefined;
}
