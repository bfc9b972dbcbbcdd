import type { ModelBlock, ModelSource, ProviderName } from '../config/agent-schema.ts';
import type { ProviderRegistry } from './provider-registry.ts';

/** A provider the router speaks natively: the AI SDK providers, plus Azure's OpenAI wire. */
export type NativeProvider = ProviderName | 'azure_openai';

/**
 * A model block as the router uses it: one native provider, the bare model name, and the
 * sampling shorthand folded in. What the file said (`source: litellm`, `providerRef`) is resolved
 * away at load, so every later reader sees one form.
 */
export type ResolvedModelBlock = Omit<ModelBlock, 'source' | 'provider' | 'providerRef' | 'model'> & {
  provider: NativeProvider;
  model: string;
};

export interface ModelBlockIssue {
  /** Relative to the block, e.g. ['model']. */
  path: (string | number)[];
  message: string;
}

// litellm's vendor prefixes we route to a provider of our own, as upstream's litellm would call
// that vendor. `azure/<deployment>` names an Azure deployment; `ollama_chat` is litellm's other
// spelling for Ollama's chat API; `cohere_chat` for Cohere's.
const litellmVendors: Record<string, NativeProvider> = {
  openai: 'openai',
  anthropic: 'anthropic',
  azure: 'azure_openai',
  groq: 'groq',
  mistral: 'mistral',
  cohere: 'cohere',
  cohere_chat: 'cohere',
  ollama: 'ollama',
  ollama_chat: 'ollama',
};
export const supportedLitellmVendors = Object.keys(litellmVendors).sort();

/**
 * Resolves one block of an agent file: providerRef from the registry (the block's own keys win),
 * source/provider (upstream reads `source` first, then `provider`), a litellm or unprefixed
 * `vendor/model` name to our provider for that vendor, a plain name with no source to
 * openai_compat at OpenAI's API (upstream's fallback), vllm/hf_tgi/llamacpp to openai_compat at
 * the server's /v1, and `parameters.temperature` /
 * `parameters.max_tokens` over the top-level shorthand (upstream: "an explicit entry under
 * parameters wins over the shorthand"). Never throws: problems come back naming the block's field.
 */
export function resolveModelBlock(
  block: ModelBlock,
  registry: ProviderRegistry | undefined,
): { block: ResolvedModelBlock; issues: [] } | { block: undefined; issues: ModelBlockIssue[] } {
  const referenced = block.providerRef === undefined ? { issues: [], block } : withReference(block, registry);
  if (referenced.issues.length > 0) return { block: undefined, issues: referenced.issues };
  const { source, provider, providerRef, model, ...rest } = referenced.block;
  if (model === undefined) {
    return {
      block: undefined,
      issues: [{ path: ['model'], message: 'model is required unless providerRef names it' }],
    };
  }
  const routed = routeSource(source ?? provider, model, rest);
  if ('issue' in routed) return { block: undefined, issues: [routed.issue] };
  const folded = foldShorthand(rest);
  if ('issues' in folded) return { block: undefined, issues: folded.issues };
  return { block: { ...rest, ...folded, ...routed }, issues: [] };
}

function withReference(
  block: ModelBlock,
  registry: ProviderRegistry | undefined,
): { block: ModelBlock; issues: ModelBlockIssue[] } {
  const ref = block.providerRef as string;
  const entry = registry?.entries.get(ref);
  if (entry === undefined) {
    const known = registry && registry.entries.size > 0 ? [...registry.entries.keys()].sort().join(', ') : 'none';
    const files = registry?.files.length ? registry.files.join(', ') : 'no providers*.yaml file';
    const broken = registry?.problems.length ? `; ${registry.problems.join('; ')}` : '';
    return {
      block,
      issues: [
        { path: ['providerRef'], message: `unknown provider '${ref}' (known: ${known}; read from ${files})${broken}` },
      ],
    };
  }
  const own = Object.fromEntries(Object.entries(block).filter(([, value]) => value !== undefined));
  // A block that names its own source replaces the entry's; otherwise the entry's `type` is the source.
  const inherited: Partial<ModelBlock> = { ...entry.block };
  if (block.source !== undefined || block.provider !== undefined) {
    delete inherited.source;
    delete inherited.provider;
  }
  return { block: { ...inherited, ...own }, issues: [] };
}

// Upstream's adapters for these servers post to {endpoint}/v1/chat/completions, defaulting to
// the server's usual local port (providers/vllm_provider.py, hf_tgi_provider.py, llamacpp_provider.py).
const openAiWireServers: Partial<Record<ModelSource, string>> = {
  vllm: 'http://localhost:8000',
  hf_tgi: 'http://localhost:8080',
  llamacpp: 'http://localhost:8080',
};

/** Upstream's fallback for a plain model name (runtime/engine.py build_candidate_provider). */
export const plainNameDefaults = { endpoint: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY' } as const;

type Routed = { provider: NativeProvider; model: string; endpoint?: string; api_key_env?: string };

function routeSource(
  source: ModelSource | undefined,
  model: string,
  access: { endpoint?: string; api_key_env?: string },
): Routed | { issue: ModelBlockIssue } {
  // Upstream: with no source, a model containing '/' goes to litellm, any other to openai_compat.
  if (source === 'litellm' || (source === undefined && model.includes('/'))) {
    const slash = model.indexOf('/');
    const vendor = slash > 0 ? model.slice(0, slash).toLowerCase() : '';
    const bare = model.slice(slash + 1);
    const provider = litellmVendors[vendor];
    if (slash <= 0 || bare.length === 0) {
      return {
        issue: {
          path: ['model'],
          message: `litellm needs a vendor/model name, e.g. openai/gpt-4o-mini; supported vendors: ${supportedLitellmVendors.join(', ')}`,
        },
      };
    }
    if (provider === undefined) {
      return {
        issue: {
          path: ['model'],
          message: `vendor '${vendor}' is not supported (litellm route); supported vendors: ${supportedLitellmVendors.join(', ')}`,
        },
      };
    }
    return { provider, model: bare };
  }
  if (source === undefined) {
    // As upstream: OpenAI's API unless the block names an endpoint, the key from OPENAI_API_KEY
    // unless it names api_key_env (and, as upstream, a call without that key fails).
    return {
      provider: 'openai_compat',
      model,
      endpoint: access.endpoint ?? plainNameDefaults.endpoint,
      api_key_env: access.api_key_env ?? plainNameDefaults.api_key_env,
    };
  }
  const server = openAiWireServers[source];
  if (server !== undefined) {
    return { provider: 'openai_compat', model, endpoint: openAiV1Url(access.endpoint ?? server) };
  }
  return { provider: source as NativeProvider, model };
}

/** A server's root (`http://vllm:8000`) → its OpenAI API root (`…/v1`); a root already ending in /v1 is kept. */
export function openAiV1Url(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

/**
 * The effective temperature and max_tokens, and parameters without them (the router reads them
 * from the top). Under parameters they are free-form, so their bounds are checked here.
 */
function foldShorthand(
  block: Omit<ModelBlock, 'source' | 'provider' | 'providerRef' | 'model'>,
): Pick<ResolvedModelBlock, 'temperature' | 'max_tokens' | 'parameters'> | { issues: ModelBlockIssue[] } {
  const parameters: Record<string, unknown> = { ...(block.parameters ?? {}) };
  const { temperature, max_tokens: maxTokens } = parameters;
  delete parameters.temperature;
  delete parameters.max_tokens;
  const issues: ModelBlockIssue[] = [];
  if (temperature !== undefined && !(typeof temperature === 'number' && temperature >= 0 && temperature <= 2)) {
    issues.push({ path: ['parameters', 'temperature'], message: 'must be a number from 0 to 2' });
  }
  if (
    maxTokens !== undefined &&
    !(typeof maxTokens === 'number' && Number.isInteger(maxTokens) && maxTokens > 0 && maxTokens <= 1_000_000)
  ) {
    issues.push({ path: ['parameters', 'max_tokens'], message: 'must be a whole number from 1 to 1000000' });
  }
  if (issues.length > 0) return { issues };
  const effectiveTemperature = (temperature as number | undefined) ?? block.temperature;
  const effectiveMaxTokens = (maxTokens as number | undefined) ?? block.max_tokens;
  return {
    ...(effectiveTemperature === undefined ? {} : { temperature: effectiveTemperature }),
    ...(effectiveMaxTokens === undefined ? {} : { max_tokens: effectiveMaxTokens }),
    parameters: Object.keys(parameters).length > 0 ? parameters : undefined,
  };
}
