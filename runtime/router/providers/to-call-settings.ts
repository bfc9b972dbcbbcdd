import { z } from 'zod';
import type { ModelRequest } from '../model-types.ts';
import { ProviderCallError } from '../model-types.ts';
import type { ResolvedModelBlock } from '../resolve-model-block.ts';

// The `parameters:` an agent file may set, by their usual provider names. Unknown keys are
// ignored: upstream agent files carry provider-specific extras we do not forward.
const ModelParameters = z.object({
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().positive().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).optional(),
  seed: z.int().optional(),
  presence_penalty: z.number().optional(),
  frequency_penalty: z.number().optional(),
});

export interface CallSettings {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  providerOptions?: { ollama: { options: Record<string, number | string[]> } };
}

/**
 * Sampling settings for one call: the block's, with the request's output-token cap on top. The
 * block is resolved (resolveModelBlock): `temperature` and `max_tokens` already hold
 * parameters.temperature / parameters.max_tokens, which win over the top-level shorthand.
 */
export function toCallSettings(options: {
  block: ResolvedModelBlock;
  request: ModelRequest;
  candidate: string;
}): CallSettings {
  const { block, request, candidate } = options;
  const parsed = ModelParameters.safeParse(block.parameters ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderCallError({
      candidate,
      isRetryable: false,
      message: `parameters.${issue?.path.join('.')}: ${issue?.message}`,
    });
  }
  const parameters = parsed.data;
  const maxOutputTokens = request.maxOutputTokens ?? block.max_tokens;
  const stopSequences = typeof parameters.stop === 'string' ? [parameters.stop] : parameters.stop;

  if (block.provider === 'ollama') {
    // Ollama reads sampling settings only from `options` (num_predict is its max tokens); the
    // provider package would send them top-level, where Ollama ignores them.
    const ollamaOptions: Record<string, number | string[] | undefined> = {
      temperature: block.temperature,
      top_p: parameters.top_p,
      top_k: parameters.top_k,
      num_predict: maxOutputTokens,
      stop: stopSequences,
      seed: parameters.seed,
    };
    const definedOptions: Record<string, number | string[]> = {};
    for (const [name, value] of Object.entries(ollamaOptions)) if (value !== undefined) definedOptions[name] = value;
    return Object.keys(definedOptions).length > 0 ? { providerOptions: { ollama: { options: definedOptions } } } : {};
  }
  return {
    maxOutputTokens,
    temperature: block.temperature,
    topP: parameters.top_p,
    topK: parameters.top_k,
    stopSequences,
    seed: parameters.seed,
    presencePenalty: parameters.presence_penalty,
    frequencyPenalty: parameters.frequency_penalty,
  };
}
