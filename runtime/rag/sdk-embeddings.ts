import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { EmbeddingModel } from 'ai';
import { createOllama } from 'ollama-ai-provider-v2';
import type { EmbeddingsSpec } from '../config/agent-schema.ts';
import { ollamaApiUrl } from '../router/providers/provider-endpoints.ts';

// The AI SDK half of createEmbedder, which imports this module on the first embedding only.

export { embedMany } from 'ai';

export interface EmbeddingAccess {
  apiKey: string | undefined;
  baseUrl: string | undefined;
}

export function embeddingModel(spec: EmbeddingsSpec, { apiKey, baseUrl }: EmbeddingAccess): EmbeddingModel {
  switch (spec.provider) {
    case 'openai':
      return createOpenAI({ apiKey, baseURL: baseUrl }).embeddingModel(spec.model);
    case 'openai_compat':
      // embeddingAccess refuses openai_compat without a base URL.
      return createOpenAICompatible({ name: 'openai_compat', baseURL: baseUrl as string, apiKey }).embeddingModel(
        spec.model,
      );
    case 'ollama':
      return createOllama({
        baseURL: baseUrl === undefined ? undefined : ollamaApiUrl(baseUrl),
        headers: apiKey === undefined ? undefined : { Authorization: `Bearer ${apiKey}` },
      }).embeddingModel(spec.model);
  }
}
