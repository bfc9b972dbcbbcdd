import { listBuiltinTools } from '../../runtime/tools/builtin-tools.ts';
import type { WizardCatalogue } from '../schemas/wizard-catalogue.ts';
import {
  type CloudProvider,
  cloudProviders,
  inputGuardrailNames,
  maxTokensBounds,
  memoryStrategies,
  memoryTypes,
  outputGuardrailNames,
  windowSizeBounds,
} from '../schemas/wizard-config.ts';

// Words for the names the schema accepts. Keyed by those names, so a name added to the schema
// without words here fails the typecheck instead of reaching the wizard unexplained.
const inputGuardrailWords: Record<(typeof inputGuardrailNames)[number], string> = {
  pii_filter: 'Masks emails, phone numbers, card and social security numbers in what the user sends.',
  pii_detection: 'The same masking under the runtime’s own name.',
  max_length: 'Cuts a message longer than 10,000 characters.',
};
const outputGuardrailWords: Record<(typeof outputGuardrailNames)[number], string> = {
  pii_filter: 'Masks personal data (emails, phone, card and social security numbers) in the answer.',
  pii_detection: 'The same masking under the runtime’s own name.',
  content_safety: 'Masks unsafe content in the answer (a default list of patterns).',
  cost_limit: 'Cuts an answer at the max tokens of step 5.',
};
const strategyWords: Record<(typeof memoryStrategies)[number], string> = {
  sliding_window: 'Keeps the last turns of the conversation (the window).',
  summary: 'Summarises older turns once the conversation passes the window.',
  token_budget: 'Keeps as many recent turns as fit 2,000 estimated tokens; the window is not used.',
};

/**
 * The wizard's catalogue (GET /catalogue) from the lists the WizardConfig schema validates with
 * and the runtime's own tool list. Model suggestions are an input: they change with the
 * providers' deprecation schedules, not with the code.
 */
export function buildWizardCatalogue(suggestions: {
  models: Partial<Record<CloudProvider, readonly { model: string; note: string }[]>>;
  defaultModel: string | undefined;
}): WizardCatalogue {
  const withWords = <Name extends string>(names: readonly Name[], words: Record<Name, string>) =>
    names.map((name) => ({ name, description: words[name] }));
  return {
    providers: cloudProviders.map((name) => ({
      name,
      suggested_models: (suggestions.models[name] ?? []).map((model) => ({ ...model })),
    })),
    default_model: suggestions.defaultModel ?? null,
    tools: listBuiltinTools(),
    guardrails: {
      input: withWords(inputGuardrailNames, inputGuardrailWords),
      output: withWords(outputGuardrailNames, outputGuardrailWords),
    },
    memory: {
      types: [...memoryTypes],
      strategies: withWords(memoryStrategies, strategyWords),
      window_size: { ...windowSizeBounds },
    },
    max_tokens: { ...maxTokensBounds },
  };
}
