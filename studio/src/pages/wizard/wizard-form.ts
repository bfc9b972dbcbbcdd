import type { WizardCatalogue } from '../../../../api/schemas/wizard-catalogue.ts';
import type { WizardConfig, WizardConfigInput, WizardConfigPatch } from '../../../../api/schemas/wizard-config.ts';

/** What the wizard's controls hold: text as typed, so the API (not the page) decides what is valid. */
export interface WizardForm {
  name: string;
  displayName: string;
  provider: string;
  /** The model part of provider/model (it may hold further slashes). */
  model: string;
  /** '' for no fallback. */
  fallbackProvider: string;
  fallbackModel: string;
  systemPrompt: string;
  persona: string;
  tools: string[];
  /** Names of the org's MCP servers the agent may call. */
  mcpServers: string[];
  memoryType: string;
  memoryStrategy: string;
  windowSize: string;
  inputGuardrails: string[];
  outputGuardrails: string[];
  maxTokens: string;
}

/** `openai/gpt-x` → provider `openai`, model `gpt-x`; the model keeps any further slash. */
export function splitModelRef(ref: string | undefined): { provider: string; model: string } {
  if (!ref) return { provider: '', model: '' };
  const slash = ref.indexOf('/');
  return slash < 0 ? { provider: '', model: ref } : { provider: ref.slice(0, slash), model: ref.slice(slash + 1) };
}

/** The form of a saved agent, or of a new one started from the catalogue's defaults. */
export function formOf(config: WizardConfig | undefined, catalogue: WizardCatalogue): WizardForm {
  const start = splitModelRef(catalogue.default_model ?? undefined);
  const primary = config ? splitModelRef(config.step1.model) : start;
  const fallback = splitModelRef(config?.step1.fallback_model);
  return {
    name: config?.name ?? '',
    displayName: config?.display_name ?? '',
    provider: primary.provider || (catalogue.providers[0]?.name ?? ''),
    model: primary.model,
    fallbackProvider: fallback.provider,
    fallbackModel: fallback.model,
    systemPrompt: config?.step2.system_prompt ?? '',
    persona: config?.step2.persona ?? '',
    tools: [...(config?.step3.tools ?? [])],
    mcpServers: [...(config?.step3.mcp_servers ?? [])],
    memoryType: config?.step4.memory_type ?? catalogue.memory.types[0] ?? '',
    memoryStrategy: config?.step4.memory_strategy ?? catalogue.memory.strategies[0]?.name ?? '',
    windowSize: String(config?.step4.window_size ?? catalogue.memory.window_size.default),
    inputGuardrails: [...(config?.step5.input_guardrails ?? [])],
    outputGuardrails: [...(config?.step5.output_guardrails ?? [])],
    maxTokens: String(config?.step5.max_tokens ?? catalogue.max_tokens.default),
  };
}

// A number field sends what was typed as a number when it is one; anything else goes as typed, so
// the API's answer names the field ("step4.window_size: expected number").
const numberOrText = (text: string): number | string => (/^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text);

/** Every step of the form, as PUT /orgs/{slug}/agents/{name} takes it (the name cannot change). */
export function patchOf(form: WizardForm): WizardConfigPatch {
  const display = form.displayName.trim();
  return {
    ...(display === '' ? {} : { display_name: display }),
    step1: {
      model: `${form.provider}/${form.model.trim()}`,
      fallback_model: form.fallbackProvider === '' ? null : `${form.fallbackProvider}/${form.fallbackModel.trim()}`,
    },
    step2: { system_prompt: form.systemPrompt, persona: form.persona },
    // Always sent, so unticking the last server removes it (PUT merges what it is given).
    step3: { tools: form.tools, mcp_servers: form.mcpServers },
    step4: {
      memory_type: form.memoryType,
      memory_strategy: form.memoryStrategy,
      window_size: numberOrText(form.windowSize),
    },
    step5: {
      input_guardrails: form.inputGuardrails,
      output_guardrails: form.outputGuardrails,
      max_tokens: numberOrText(form.maxTokens),
    },
  } as WizardConfigPatch;
}

/** The whole form as POST /orgs/{slug}/agents (create) and …/agents/compile (preview) take it. */
export function configOf(form: WizardForm): WizardConfigInput {
  const patch = patchOf(form);
  const fallback = patch.step1?.fallback_model;
  return {
    ...patch,
    name: form.name.trim(),
    step1: { model: patch.step1?.model ?? '', ...(fallback ? { fallback_model: fallback } : {}) },
    // Absent is none, as in a config saved before MCP servers existed.
    step3: { tools: form.tools, ...(form.mcpServers.length > 0 ? { mcp_servers: form.mcpServers } : {}) },
  } as WizardConfigInput;
}
