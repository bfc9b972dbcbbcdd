import { createHash } from 'node:crypto';
import { RuntimeError } from '../runtime-error.ts';
import { cosineSimilarity } from './cosine-similarity.ts';
import { VectorDimensionMismatch } from './rag-errors.ts';
import type { ScoredRecord, VectorQuery, VectorRecord, VectorStore } from './vector-store.ts';

// Chroma's HNSW index is approximate: a query asks for more neighbours than top_k so that ties at
// the cut and near-misses can be re-ranked exactly here.
const candidateSlack = 16;
// Chroma keeps only flat str/int/float/bool metadata; the record's metadata as given (nested
// values too) travels under this key, and its flat values beside it for `where` filters.
const metadataKey = 'astromesh_metadata_json';
const requestTimeoutMs = 30_000;

/** Chroma answered with an error or could not be reached. */
export class ChromaRequestFailed extends RuntimeError {
  constructor(url: string, reason: string, options: { cause?: unknown } = {}) {
    super('vector_store_unavailable', 503, `the chromadb vector store at ${url} failed: ${reason}`, options);
  }
}

interface ChromaCollection {
  id: string;
  dimension: number | null;
}

interface ChromaRows {
  ids: string[];
  documents: (string | null)[] | null;
  metadatas: (Record<string, unknown> | null)[] | null;
  embeddings: number[][] | null;
}

/**
 * A vector store on a Chroma server (upstream's `chroma`/`chromadb` backend), over Chroma's HTTP
 * API v2 with fetch. Each collection is a Chroma collection in cosine space, created at first
 * upsert; names Chroma refuses (shorter than 3 characters, a ':' as in semantic memory's) are
 * mapped to a digest. Candidates come from Chroma's index and are re-ranked here by exact cosine
 * similarity over the returned embeddings, ties in id order, so answers match the embedded store's.
 */
export function createChromaStore(options: {
  /** http(s)://host:port of the Chroma server. */
  url: string;
  tenant?: string;
  database?: string;
}): VectorStore {
  const base = options.url.replace(/\/+$/, '');
  const collections = `${base}/api/v2/tenants/${encodeURIComponent(options.tenant ?? 'default_tenant')}/databases/${encodeURIComponent(options.database ?? 'default_database')}/collections`;

  async function call<T>(method: string, url: string, body?: unknown): Promise<T | undefined> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (err) {
      throw new ChromaRequestFailed(base, err instanceof Error ? err.message : String(err), { cause: err });
    }
    const text = await response.text();
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new ChromaRequestFailed(
        base,
        `${method} ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 500)}`,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const find = (collection: string) =>
    call<ChromaCollection>('GET', `${collections}/${encodeURIComponent(chromaName(collection))}`);

  return {
    async upsert(collection, records) {
      if (records.length === 0) return;
      const existing = await find(collection);
      const expected = existing?.dimension ?? records[0]?.embedding.length ?? 0;
      for (const record of records) {
        if (record.embedding.length !== expected) {
          throw new VectorDimensionMismatch(collection, expected, record.embedding.length);
        }
      }
      const target =
        existing ??
        (await call<ChromaCollection>('POST', collections, {
          name: chromaName(collection),
          configuration: { hnsw: { space: 'cosine' } },
          metadata: { astromesh_collection: collection },
          get_or_create: true,
        }));
      if (!target) throw new ChromaRequestFailed(base, `creating collection '${collection}' answered 404`);
      // Chroma refuses a batch that repeats an id: the last of them wins, as row by row.
      const batch = [...new Map(records.map((record) => [record.id, record])).values()];
      await call('POST', `${collections}/${target.id}/upsert`, {
        ids: batch.map((record) => record.id),
        embeddings: batch.map((record) => Array.from(record.embedding)),
        documents: batch.map((record) => record.text),
        metadatas: batch.map(chromaMetadata),
      });
    },

    async query(collection, embedding, query) {
      const existing = await find(collection);
      if (!existing || existing.dimension === null) return [];
      if (embedding.length !== existing.dimension) {
        throw new VectorDimensionMismatch(collection, existing.dimension, embedding.length);
      }
      const probe = Array.from(embedding);
      const where = whereOf(query.filter);
      const include = ['documents', 'metadatas', 'embeddings'];
      let rows: ChromaRows;
      if (probe.every((value) => value === 0)) {
        // The zero vector has no direction: every record scores 0, so ranking is id order alone.
        rows = (await call<ChromaRows>('POST', `${collections}/${existing.id}/get`, { where, include })) as ChromaRows;
      } else {
        const answer = (await call<{ [K in keyof ChromaRows]: ChromaRows[K][] | null } & { ids: string[][] }>(
          'POST',
          `${collections}/${existing.id}/query`,
          { query_embeddings: [probe], n_results: query.topK + candidateSlack, where, include },
        )) as {
          ids: string[][];
          documents: ChromaRows['documents'][];
          metadatas: ChromaRows['metadatas'][];
          embeddings: ChromaRows['embeddings'][];
        };
        rows = {
          ids: answer.ids[0] ?? [],
          documents: answer.documents?.[0] ?? null,
          metadatas: answer.metadatas?.[0] ?? null,
          embeddings: answer.embeddings?.[0] ?? null,
        };
      }
      const threshold = query.scoreThreshold ?? Number.NEGATIVE_INFINITY;
      return rows.ids
        .map(
          (id, index): ScoredRecord => ({
            id,
            text: rows.documents?.[index] ?? '',
            metadata: metadataOf(rows.metadatas?.[index]),
            score: cosineSimilarity(probe, rows.embeddings?.[index] ?? []),
          }),
        )
        .filter((result) => result.score >= threshold)
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, query.topK);
    },

    async count(collection) {
      const existing = await find(collection);
      if (!existing) return 0;
      return (await call<number>('GET', `${collections}/${existing.id}/count`)) ?? 0;
    },

    async deleteCollection(collection) {
      const existing = await find(collection);
      if (!existing) return 0;
      const count = (await call<number>('GET', `${collections}/${existing.id}/count`)) ?? 0;
      await call('DELETE', `${collections}/${encodeURIComponent(chromaName(collection))}`);
      return count;
    },

    async close() {},
  };
}

/**
 * Chroma's name for a collection: the name itself when Chroma accepts it (3–512 of
 * [A-Za-z0-9._-], starting and ending with a letter or digit, no '..'), else a digest of it.
 */
export function chromaName(collection: string): string {
  const accepted = /^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$/.test(collection) && !collection.includes('..');
  return accepted ? collection : `astromesh-${createHash('sha256').update(collection).digest('hex').slice(0, 32)}`;
}

function chromaMetadata(record: VectorRecord): Record<string, string | number | boolean> {
  const flat: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(record.metadata)) {
    if (key === metadataKey) continue;
    if (
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      flat[key] = value;
    }
  }
  flat[metadataKey] = JSON.stringify(record.metadata);
  return flat;
}

function metadataOf(stored: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const json = stored?.[metadataKey];
  return typeof json === 'string' ? (JSON.parse(json) as Record<string, unknown>) : {};
}

/** Chroma's `where`: one `$eq` per key, `$and` over several. */
function whereOf(filter: VectorQuery['filter']): Record<string, unknown> | undefined {
  const conditions = Object.entries(filter ?? {}).map(([key, value]) => ({ [key]: { $eq: value } }));
  if (conditions.length === 0) return undefined;
  return conditions.length === 1 ? conditions[0] : { $and: conditions };
}
