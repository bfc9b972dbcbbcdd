/** One chunk as a vector store keeps it. */
export interface VectorRecord {
  /** Unique within its collection; upserting the same id replaces the chunk. */
  id: string;
  text: string;
  /** Any JSON object; given back as it was stored. */
  metadata: Record<string, unknown>;
  embedding: ArrayLike<number>;
}

export interface ScoredRecord {
  id: string;
  text: string;
  metadata: Record<string, unknown>;
  /** Cosine similarity to the query, from -1 to 1. */
  score: number;
}

export interface VectorQuery {
  topK: number;
  /** Only records scoring at least this much (seed 002's score_threshold; default: no minimum). */
  scoreThreshold?: number;
  /** Only records whose metadata has these top-level values. */
  filter?: Record<string, string | number | boolean>;
}

/**
 * Where a RAG pipeline and semantic memory keep their vectors. Collections are isolated from each
 * other; within one, every vector has the length of the first one stored. The embedded SQLite
 * store implements it today; pgvector and Chroma are to implement the same contract
 * (test-support/vector-store-contract.ts).
 */
export interface VectorStore {
  upsert(collection: string, records: readonly VectorRecord[]): Promise<void>;
  /** The best `topK` records by cosine similarity, best first; ties in id order. */
  query(collection: string, embedding: ArrayLike<number>, query: VectorQuery): Promise<ScoredRecord[]>;
  count(collection: string): Promise<number>;
  /** Forgets the collection; gives how many records it had. */
  deleteCollection(collection: string): Promise<number>;
  close(): Promise<void>;
}
