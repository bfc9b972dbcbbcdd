import { AppError } from '../errors.ts';
import type { CloudProvider } from '../schemas/wizard-config.ts';
import { listProviderKeys } from '../stores/provider-keys-store.ts';
import type { CredentialsOf } from './org-deployment.ts';
import { openProviderKey } from './provider-key-seal.ts';
import { type MasterKeyRing, SecretUnreadable } from './seal-secret.ts';

/** The credential names the runtime reads for each provider (runtime/router/providers). */
export const runtimeCredentialNames: Record<CloudProvider, { apiKey: string; baseUrl: string }> = {
  openai: { apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' },
  anthropic: { apiKey: 'ANTHROPIC_API_KEY', baseUrl: 'ANTHROPIC_BASE_URL' },
  groq: { apiKey: 'GROQ_API_KEY', baseUrl: 'GROQ_BASE_URL' },
  mistral: { apiKey: 'MISTRAL_API_KEY', baseUrl: 'MISTRAL_BASE_URL' },
  cohere: { apiKey: 'COHERE_API_KEY', baseUrl: 'COHERE_BASE_URL' },
  ollama: { apiKey: 'OLLAMA_API_KEY', baseUrl: 'OLLAMA_BASE_URL' },
};

/**
 * Reads an org's provider keys, decrypted, as the runtime's credentials: OPENAI_API_KEY,
 * OPENAI_BASE_URL… Only that org's rows are read, so a runtime never receives another org's keys.
 */
export function providerCredentialsOf(keys: MasterKeyRing): CredentialsOf {
  return async (client, orgId) => {
    const credentials: Record<string, string> = {};
    for (const record of await listProviderKeys(client, orgId)) {
      const names = runtimeCredentialNames[record.provider];
      const apiKey = openOrExplain(record, keys);
      if (apiKey !== '') credentials[names.apiKey] = apiKey;
      if (record.baseUrl) credentials[names.baseUrl] = record.baseUrl;
    }
    return credentials;
  };
}

function openOrExplain(record: Parameters<typeof openProviderKey>[0], keys: MasterKeyRing): string {
  try {
    return openProviderKey(record, keys);
  } catch (err) {
    if (!(err instanceof SecretUnreadable)) throw err;
    // Only an operator can fix this (a master key missing from the configuration), so say so.
    throw new AppError(
      'provider_key_unreadable',
      500,
      `the org's ${record.provider} key cannot be decrypted: ${err.message}; save it again or restore the master key`,
      { cause: err },
    );
  }
}
