import type { NativeProvider, ResolvedModelBlock } from './resolve-model-block.ts';

export interface ModelTraits {
  /** USD per million input + output tokens, a blended list price used only for ranking. */
  costPerMillionTokens: number;
  /** 1 (small, fast) to 5 (frontier); used only for ranking. */
  qualityTier: number;
  supportsTools: boolean;
}

type Block = Pick<ResolvedModelBlock, 'provider' | 'model'>;

// List prices and tiers for ranking only (cost_optimized, quality_first, capability_match). An
// entry matches a model name by prefix, longest first, so dated names (gpt-4o-mini-2024-07-18)
// resolve to their family.
const knownModels: Record<string, ModelTraits> = {
  'gpt-4.1-nano': { costPerMillionTokens: 0.5, qualityTier: 2, supportsTools: true },
  'gpt-4.1-mini': { costPerMillionTokens: 2, qualityTier: 3, supportsTools: true },
  'gpt-4.1': { costPerMillionTokens: 10, qualityTier: 4, supportsTools: true },
  'gpt-4o-mini': { costPerMillionTokens: 0.75, qualityTier: 3, supportsTools: true },
  'gpt-4o': { costPerMillionTokens: 12.5, qualityTier: 4, supportsTools: true },
  'gpt-5': { costPerMillionTokens: 11.25, qualityTier: 5, supportsTools: true },
  // The GPT-6 tiers (OpenAI's model pages, autumn 2026): input + output list price per 1M tokens.
  'gpt-6-luna': { costPerMillionTokens: 0.6, qualityTier: 3, supportsTools: true },
  'gpt-6.1-terra': { costPerMillionTokens: 6, qualityTier: 4, supportsTools: true },
  'gpt-6.1-sol': { costPerMillionTokens: 12, qualityTier: 5, supportsTools: true },
  o3: { costPerMillionTokens: 10, qualityTier: 5, supportsTools: true },
  'o4-mini': { costPerMillionTokens: 5.5, qualityTier: 4, supportsTools: true },
  'claude-3-5-haiku': { costPerMillionTokens: 4.8, qualityTier: 3, supportsTools: true },
  'claude-haiku': { costPerMillionTokens: 6, qualityTier: 3, supportsTools: true },
  'claude-3-7-sonnet': { costPerMillionTokens: 18, qualityTier: 4, supportsTools: true },
  'claude-sonnet': { costPerMillionTokens: 18, qualityTier: 5, supportsTools: true },
  'claude-opus': { costPerMillionTokens: 90, qualityTier: 5, supportsTools: true },
  // The Claude 5.5 family (platform.claude.com models overview, 2026); Haiku's price is its "from" price.
  'claude-haiku-5-5': { costPerMillionTokens: 0.6, qualityTier: 3, supportsTools: true },
  'claude-sonnet-5-5': { costPerMillionTokens: 12, qualityTier: 5, supportsTools: true },
  'claude-opus-5-5': { costPerMillionTokens: 24, qualityTier: 5, supportsTools: true },
  'llama-3.1-8b': { costPerMillionTokens: 0.13, qualityTier: 2, supportsTools: true },
  'llama-3.3-70b': { costPerMillionTokens: 1.4, qualityTier: 3, supportsTools: true },
  // Groq names these openai/gpt-oss-…; the vendor prefix is dropped before matching. Groq's prices.
  'gpt-oss-20b': { costPerMillionTokens: 0.375, qualityTier: 2, supportsTools: true },
  'gpt-oss-120b': { costPerMillionTokens: 0.75, qualityTier: 3, supportsTools: true },
  'mistral-small': { costPerMillionTokens: 0.4, qualityTier: 2, supportsTools: true },
  'mistral-medium': { costPerMillionTokens: 2.4, qualityTier: 3, supportsTools: true },
  // Mistral Medium 3.5 (2026-04-29), which the -latest alias now names.
  'mistral-medium-3.5': { costPerMillionTokens: 9, qualityTier: 4, supportsTools: true },
  'mistral-medium-latest': { costPerMillionTokens: 9, qualityTier: 4, supportsTools: true },
  'mistral-large': { costPerMillionTokens: 8, qualityTier: 4, supportsTools: true },
  'command-r7b': { costPerMillionTokens: 0.19, qualityTier: 2, supportsTools: true },
  'command-r-plus': { costPerMillionTokens: 12.5, qualityTier: 4, supportsTools: true },
  'command-r': { costPerMillionTokens: 0.75, qualityTier: 3, supportsTools: true },
  'command-a': { costPerMillionTokens: 12.5, qualityTier: 4, supportsTools: true },
  // Local Ollama models: no per-token price. Some older families cannot call tools.
  llama2: { costPerMillionTokens: 0, qualityTier: 1, supportsTools: false },
  gemma: { costPerMillionTokens: 0, qualityTier: 2, supportsTools: false },
  phi3: { costPerMillionTokens: 0, qualityTier: 1, supportsTools: false },
};

const modelPrefixes = Object.keys(knownModels).sort((a, b) => b.length - a.length);

// What an unknown model of each provider is assumed to be: priced like the provider's mid-range,
// quality in the middle, tool calling supported (most current chat models do).
const providerDefaults: Record<NativeProvider, ModelTraits> = {
  openai: { costPerMillionTokens: 10, qualityTier: 3, supportsTools: true },
  anthropic: { costPerMillionTokens: 18, qualityTier: 3, supportsTools: true },
  groq: { costPerMillionTokens: 0.8, qualityTier: 3, supportsTools: true },
  mistral: { costPerMillionTokens: 2.4, qualityTier: 3, supportsTools: true },
  cohere: { costPerMillionTokens: 5, qualityTier: 3, supportsTools: true },
  ollama: { costPerMillionTokens: 0, qualityTier: 2, supportsTools: true },
  openai_compat: { costPerMillionTokens: 1, qualityTier: 3, supportsTools: true },
  azure_openai: { costPerMillionTokens: 10, qualityTier: 3, supportsTools: true },
};

export function modelTraits(block: Block): ModelTraits {
  const name = block.model.toLowerCase().replace(/^[^/]+\//, '');
  const prefix = modelPrefixes.find((candidate) => name.startsWith(candidate));
  const known = prefix ? knownModels[prefix] : undefined;
  if (!known) return providerDefaults[block.provider];
  // A local runtime costs nothing per token, whatever the model family would cost elsewhere.
  return block.provider === 'ollama' ? { ...known, costPerMillionTokens: 0 } : known;
}
