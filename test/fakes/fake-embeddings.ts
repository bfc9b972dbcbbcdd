import type { ProviderName } from '../../runtime/config/agent-schema.ts';

/** Length of the fake's vectors unless a request asks for `dimensions` (OpenAI's field). */
export const fakeEmbeddingDimensions = 256;

/**
 * A deterministic embedding of `text`: a hashed bag of its lower-cased words, normalised to
 * length 1. Texts that share words score high under cosine similarity, texts that share none
 * score 0 (but for hash collisions), so retrieval in tests behaves like the real thing rather
 * than returning scripted answers. A text without words is the zero vector.
 */
export function fakeEmbedding(text: string, dimensions = fakeEmbeddingDimensions): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const index = fnv1a(word) % dimensions;
    vector[index] = (vector[index] ?? 0) + 1;
  }
  const length = Math.hypot(...vector);
  return length === 0 ? vector : vector.map((value) => value / length);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The embedding paths each provider's fake serves: OpenAI's `/v1/embeddings`, Ollama's `/api/embed`. */
export function isEmbeddingPath(provider: ProviderName, path: string): boolean {
  if (provider === 'ollama') return path === '/api/embed';
  if (provider === 'openai' || provider === 'openai_compat') return path === '/v1/embeddings' || path === '/embeddings';
  return false;
}

/**
 * The provider's answer to an embedding request, in its wire format, or the 400 body when the
 * request is malformed. OpenAI: `{ input: string | string[], model, dimensions? }` →
 * `{ object: 'list', data: [{ object: 'embedding', index, embedding }], model, usage }`.
 * Ollama: `{ model, input: string | string[] }` → `{ model, embeddings: number[][] }`.
 */
export function answerEmbeddingRequest(
  provider: ProviderName,
  body: Record<string, unknown>,
): { status: number; payload: unknown } {
  const input = typeof body.input === 'string' ? [body.input] : body.input;
  const model = typeof body.model === 'string' ? body.model : 'unknown-model';
  if (!Array.isArray(input) || !input.every((value) => typeof value === 'string')) {
    const message = "'input' must be a string or an array of strings";
    return provider === 'ollama'
      ? { status: 400, payload: { error: message } }
      : { status: 400, payload: { error: { message, type: 'invalid_request_error', param: 'input', code: null } } };
  }
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : fakeEmbeddingDimensions;
  const vectors = input.map((text) => fakeEmbedding(text, dimensions));
  const tokens = input.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
  if (provider === 'ollama') {
    // Real Ollama reports its timings in nanoseconds; the AI SDK's provider requires them.
    const payload = {
      model,
      embeddings: vectors,
      total_duration: 1_000_000,
      load_duration: 0,
      prompt_eval_count: tokens,
    };
    return { status: 200, payload };
  }
  return {
    status: 200,
    payload: {
      object: 'list',
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}
