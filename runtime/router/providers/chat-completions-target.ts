import type { ResolvedModelBlock } from '../resolve-model-block.ts';
import { azureDeploymentUrl, defaultAzureApiVersion, isAzureV1Endpoint } from './provider-endpoints.ts';
import type { ProviderAccess } from './resolve-provider-access.ts';
import { openAiApiUrl } from './resolve-provider-access.ts';

/** The providers whose chat API is OpenAI's Chat Completions wire, called without the AI SDK. */
export type ChatCompletionsProvider = 'openai' | 'openai_compat' | 'azure_openai';

export function isChatCompletionsProvider(provider: string): provider is ChatCompletionsProvider {
  return provider === 'openai' || provider === 'openai_compat' || provider === 'azure_openai';
}

export interface ChatCompletionsTarget {
  url: URL;
  headers: Record<string, string>;
  /** The body's `model`: Azure names the deployment there (v1 API) or ignores it (classic). */
  model: string;
}

/**
 * Where one attempt posts and with which key header, exactly as the AI SDK providers built it
 * before (create-language-model.ts keeps that code for reference): `{base}/chat/completions` with a
 * bearer key, or for classic Azure the deployment's path, `?api-version=` and an `api-key` header.
 * Built per attempt, so a rotated key or base URL applies to the next call.
 */
export function chatCompletionsTarget(options: {
  block: Pick<ResolvedModelBlock, 'model' | 'deployment' | 'api_version'> & { provider: ChatCompletionsProvider };
  access: ProviderAccess;
}): ChatCompletionsTarget {
  const { block, access } = options;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const baseUrl = withoutTrailingSlash(access.baseUrl ?? openAiApiUrl);
  if (block.provider !== 'azure_openai') {
    if (access.apiKey !== undefined) headers.authorization = `Bearer ${access.apiKey}`;
    return { url: new URL(`${baseUrl}/chat/completions`), headers, model: block.model };
  }
  const deployment = block.deployment ?? block.model;
  // Azure's v1 API (an endpoint ending in /openai/v1) is OpenAI's own wire, the deployment named
  // as the model, with no api-version.
  if (isAzureV1Endpoint(baseUrl)) {
    if (access.apiKey !== undefined) headers.authorization = `Bearer ${access.apiKey}`;
    return { url: new URL(`${baseUrl}/chat/completions`), headers, model: deployment };
  }
  // Classic Azure OpenAI: the key in an `api-key` header, not a bearer token.
  if (access.apiKey !== undefined) headers['api-key'] = access.apiKey;
  const url = new URL(`${azureDeploymentUrl(baseUrl, deployment)}/chat/completions`);
  url.searchParams.set('api-version', block.api_version ?? defaultAzureApiVersion);
  return { url, headers, model: deployment };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
