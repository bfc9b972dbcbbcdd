import { RuntimeError } from '../runtime-error.ts';

/** The embedding model could not be reached or refused the request; the provider's problem, not the caller's. */
export class EmbeddingFailed extends RuntimeError {
  constructor(provider: string, reason: string, options: { cause?: unknown } = {}) {
    super('embedding_failed', 502, `the ${provider} embedding model failed: ${reason}`, options);
  }
}

/** A collection no RAGPipeline file declares. */
export class CollectionNotFound extends RuntimeError {
  constructor(collection: string, known: readonly string[]) {
    super(
      'collection_not_found',
      404,
      `no RAGPipeline declares the collection '${collection}'; known collections: ${known.join(', ') || 'none'}`,
    );
  }
}

/** Vectors of another length than the collection's: its embedding model changed under it. */
export class VectorDimensionMismatch extends RuntimeError {
  constructor(collection: string, expected: number, got: number) {
    super(
      'dimension_mismatch',
      409,
      `collection '${collection}' holds ${expected}-dimensional vectors, not ${got}; the embedding model changed: ` +
        'delete the collection or ingest into a new one',
    );
  }
}
