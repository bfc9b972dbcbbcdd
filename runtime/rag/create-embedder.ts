import type { EmbeddingModel } from 'ai';
import type { EmbeddingsSpec } from '../config/agent-schema.ts';
import type { CredentialsLookup } from '../config/credentials-lookup.ts';
import { EmbeddingFailed } from './rag-errors.ts';
import type { EmbeddingAccess } from './sdk-embeddings.ts';

/** Turns texts into vectors, one per text, in order. */
export interface Embedder {
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

// The same credential names the chat providers read (router/providers/resolve-provider-access.ts).
const credentialNames = {
  openai: { apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' },
  openai_compat: { apiKey: 'OPENAI_COMPAT_API_KEY', baseUrl: 'OPENAI_COMPAT_BASE_URL' },
  ollama: { apiKey: 'OLLAMA_API_KEY', baseUrl: 'OLLAMA_BASE_URL' },
} as const;

/**
 * An embeddings block (a RAGPipeline's `spec.embeddings`, an agent's `memory.semantic.embeddings`)
 * as an Embedder over the AI SDK's embedding models: OpenAI's `/v1/embeddings` wire for openai
 * and openai_compat, Ollama's `/api/embed`. Build one per block and keep it: the key and base URL
 * are read per call, so rotated credentials apply at once, but the model is built again only when
 * they changed. A vector of another length than `dimension` is refused.
 */
export function createEmbedder(spec: EmbeddingsSpec, credentials: CredentialsLookup): Embedder {
  let built: { access: EmbeddingAccess; model: EmbeddingModel } | undefined;
  return {
    async embed(texts, signal) {
      if (texts.length === 0) return [];
      const access = embeddingAccess(spec, credentials);
      // The AI SDK loads on the first embedding, not at startup: most runtimes embed nothing,
      // and its modules are a good part of idle memory (issue 13).
      const sdk = await import('./sdk-embeddings.ts');
      if (!built || built.access.apiKey !== access.apiKey || built.access.baseUrl !== access.baseUrl) {
        built = { access, model: sdk.embeddingModel(spec, access) };
      }
      const { model } = built;
      let embeddings: number[][];
      try {
        ({ embeddings } = await sdk.embedMany({ model, values: [...texts], abortSignal: signal, maxRetries: 1 }));
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new EmbeddingFailed(spec.provider, err instanceof Error ? err.message : String(err), { cause: err });
      }
      const wrong = embeddings.find((vector) => spec.dimension !== undefined && vector.length !== spec.dimension);
      if (wrong) {
        throw new EmbeddingFailed(
          spec.provider,
          `returned ${wrong.length} dimensions, the block says ${spec.dimension}`,
        );
      }
      return embeddings;
    },
  };
}

/** The key and base URL a block uses now; a missing one it needs is an EmbeddingFailed naming it. */
function embeddingAccess(spec: EmbeddingsSpec, credentials: CredentialsLookup): EmbeddingAccess {
  const names = credentialNames[spec.provider];
  const keyName = spec.api_key_env ?? names.apiKey;
  const apiKey = nonEmpty(credentials(keyName));
  const baseUrl = spec.endpoint ?? nonEmpty(credentials(names.baseUrl));
  if (apiKey === undefined && (spec.provider === 'openai' || spec.api_key_env !== undefined)) {
    throw new EmbeddingFailed(spec.provider, `credential ${keyName} is not set`);
  }
  if (spec.provider === 'openai_compat' && baseUrl === undefined) {
    throw new EmbeddingFailed(spec.provider, `no base URL: set endpoint or the credential ${names.baseUrl}`);
  }
  return { apiKey, baseUrl };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
