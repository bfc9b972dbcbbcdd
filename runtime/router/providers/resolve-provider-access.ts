import type { CredentialsLookup } from '../../config/credentials-lookup.ts';
import { ProviderCallError } from '../model-types.ts';
import type { NativeProvider, ResolvedModelBlock } from '../resolve-model-block.ts';

interface CredentialNames {
  apiKey: string;
  /** Ollama runs keyless on a laptop; an OpenAI-compatible gateway may not need one either. */
  isApiKeyRequired: boolean;
  baseUrl: string;
}

const credentialNames: Record<NativeProvider, CredentialNames> = {
  openai: { apiKey: 'OPENAI_API_KEY', isApiKeyRequired: true, baseUrl: 'OPENAI_BASE_URL' },
  anthropic: { apiKey: 'ANTHROPIC_API_KEY', isApiKeyRequired: true, baseUrl: 'ANTHROPIC_BASE_URL' },
  groq: { apiKey: 'GROQ_API_KEY', isApiKeyRequired: true, baseUrl: 'GROQ_BASE_URL' },
  mistral: { apiKey: 'MISTRAL_API_KEY', isApiKeyRequired: true, baseUrl: 'MISTRAL_BASE_URL' },
  cohere: { apiKey: 'COHERE_API_KEY', isApiKeyRequired: true, baseUrl: 'COHERE_BASE_URL' },
  ollama: { apiKey: 'OLLAMA_API_KEY', isApiKeyRequired: false, baseUrl: 'OLLAMA_BASE_URL' },
  openai_compat: { apiKey: 'OPENAI_COMPAT_API_KEY', isApiKeyRequired: false, baseUrl: 'OPENAI_COMPAT_BASE_URL' },
  // Azure's own variable names; the endpoint is the resource (https://{resource}.openai.azure.com).
  azure_openai: { apiKey: 'AZURE_OPENAI_API_KEY', isApiKeyRequired: true, baseUrl: 'AZURE_OPENAI_ENDPOINT' },
};

/** The credential a block's key is read from: its api_key_env, else its provider's own name. */
export function apiKeyCredentialName(block: Pick<ResolvedModelBlock, 'provider' | 'api_key_env'>): string {
  return block.api_key_env ?? credentialNames[block.provider].apiKey;
}

/** Upstream's default base URL for its OpenAI-compatible adapter (providers/openai_compat.py). */
export const openAiApiUrl = 'https://api.openai.com/v1';

export interface ProviderAccess {
  apiKey: string | undefined;
  /** Undefined means the SDK's default (the provider's public API). */
  baseUrl: string | undefined;
}

/**
 * Reads a candidate's key and base URL. Called for every attempt, because credentials hot-reload.
 * A missing key is a config error only the operator can fix, so it fails the attempt without a
 * retry and names the credential (never a value). A block that names `api_key_env` needs that
 * key even for a provider that can run without one: the author asked for it.
 */
export function resolveProviderAccess(options: {
  block: ResolvedModelBlock;
  credentials: CredentialsLookup;
  candidate: string;
}): ProviderAccess {
  const { block, credentials, candidate } = options;
  const names = credentialNames[block.provider];
  const configuredBaseUrl = block.endpoint ?? nonEmpty(credentials(names.baseUrl));
  // openai_compat with no base URL at all: upstream's adapter calls OpenAI's API with
  // OPENAI_API_KEY, so that is where it goes, with that key unless the block or
  // OPENAI_COMPAT_API_KEY names one. A gateway's own URL never gets OPENAI_API_KEY.
  if (block.provider === 'openai_compat' && configuredBaseUrl === undefined) {
    const keyName =
      block.api_key_env ?? (nonEmpty(credentials(names.apiKey)) === undefined ? 'OPENAI_API_KEY' : names.apiKey);
    const key = nonEmpty(credentials(keyName));
    if (key === undefined) {
      throw new ProviderCallError({
        candidate,
        isRetryable: false,
        message: `credential ${keyName} is not set (no endpoint or ${names.baseUrl}: calling OpenAI's API, as upstream does)`,
      });
    }
    return { apiKey: key, baseUrl: openAiApiUrl };
  }
  const apiKeyName = block.api_key_env ?? names.apiKey;
  const apiKey = nonEmpty(credentials(apiKeyName));
  if (apiKey === undefined && (names.isApiKeyRequired || block.api_key_env !== undefined)) {
    throw new ProviderCallError({ candidate, isRetryable: false, message: `credential ${apiKeyName} is not set` });
  }
  const baseUrl = configuredBaseUrl;
  // No public default: the Azure resource is the author's own.
  if (baseUrl === undefined && block.provider === 'azure_openai') {
    throw new ProviderCallError({
      candidate,
      isRetryable: false,
      message: `no base URL: set the model's endpoint or the credential ${names.baseUrl}`,
    });
  }
  return { apiKey, baseUrl };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
