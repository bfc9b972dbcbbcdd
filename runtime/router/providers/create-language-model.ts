import { createAnthropic } from '@ai-sdk/anthropic';
import { createCohere } from '@ai-sdk/cohere';
import { createGroq } from '@ai-sdk/groq';
import { createMistral } from '@ai-sdk/mistral';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { createOllama } from 'ollama-ai-provider-v2';
import type { NativeProvider } from '../resolve-model-block.ts';
import { azureDeploymentUrl, defaultAzureApiVersion, isAzureV1Endpoint, ollamaApiUrl } from './provider-endpoints.ts';
import { providerFetch as fetch } from './provider-fetch.ts';
import type { ProviderAccess } from './resolve-provider-access.ts';

/**
 * The AI SDK model for one candidate. Built per attempt (it is only a config object), so a
 * rotated key or base URL applies to the next call.
 */
export function createLanguageModel(
  options: { provider: NativeProvider; model: string; deployment?: string; api_version?: string } & ProviderAccess,
): LanguageModel {
  const { provider, model, apiKey, baseUrl } = options;
  switch (provider) {
    case 'openai':
      // Chat Completions, not the SDK's default Responses API: it is what OpenAI-compatible
      // gateways and our fakes speak, and it keeps no conversation state at OpenAI.
      return createOpenAI({ apiKey, baseURL: baseUrl, fetch }).chat(model);
    case 'anthropic':
      return createAnthropic({ apiKey, baseURL: baseUrl, fetch }).messages(model);
    case 'groq':
      return createGroq({ apiKey, baseURL: baseUrl, fetch }).languageModel(model);
    case 'mistral':
      return createMistral({ apiKey, baseURL: baseUrl, fetch }).chat(model);
    case 'cohere':
      return createCohere({ apiKey, baseURL: baseUrl, fetch }).languageModel(model);
    case 'ollama':
      return createOllama({
        baseURL: baseUrl === undefined ? undefined : ollamaApiUrl(baseUrl),
        // Ollama's own cloud (and keyed proxies in front of a local Ollama) take a bearer token.
        headers: apiKey === undefined ? undefined : { Authorization: `Bearer ${apiKey}` },
        fetch,
      }).chat(model);
    case 'openai_compat':
      return createOpenAICompatible({
        name: 'openai_compat',
        baseURL: baseUrl ?? '',
        apiKey,
        // Without it a stream reports no token counts, and cost limits would see zero usage.
        includeUsage: true,
        fetch,
      }).chatModel(model);
    case 'azure_openai': {
      const deployment = options.deployment ?? model;
      // Azure's v1 API (an endpoint ending in /openai/v1) is OpenAI's own wire: upstream calls it as
      // any OpenAI-compatible server, {endpoint}/chat/completions with a bearer key, and so do we,
      // naming the deployment as the model. It takes no api-version.
      if (isAzureV1Endpoint(baseUrl ?? '')) {
        return createOpenAICompatible({
          name: 'azure_openai',
          baseURL: (baseUrl ?? '').replace(/\/+$/, ''),
          apiKey,
          includeUsage: true,
          fetch,
        }).chatModel(deployment);
      }
      // Classic Azure OpenAI: Chat Completions under the deployment's path, the API version as a
      // query parameter, and the key in an `api-key` header (not a bearer token).
      return createOpenAICompatible({
        name: 'azure_openai',
        baseURL: azureDeploymentUrl(baseUrl ?? '', deployment),
        headers: apiKey === undefined ? undefined : { 'api-key': apiKey },
        queryParams: { 'api-version': options.api_version ?? defaultAzureApiVersion },
        includeUsage: true,
        fetch,
      }).chatModel(deployment);
    }
  }
}
