import pg from 'pg';
import { RuntimeError } from '../runtime-error.ts';
import { cosineSimilarity } from './cosine-similarity.ts';
import { VectorDimensionMismatch } from './rag-errors.ts';
import type { ScoredRecord, VectorStore } from './vector-store.ts';

// pgvector's HNSW index is approximate: a query asks it for more neighbours than top_k so that
// ties at the cut and near-misses can be re-ranked exactly here.
const candidateSlack = 16;
// A metadata filter is applied after the index walk (pgvector 0.6 has no iterative scans), so a
// filtered query walks the widest list hnsw.ef_search allows to still find top_k matches.
const maxEfSearch = 1000;
const catalogTable = 'astromesh_vector_collections';

/** PostgreSQL could not be reached or refused the statement: the server's problem, not the caller's. */
export class PgvectorRequestFailed extends RuntimeError {
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super('vector_store_unavailable', 503, `the pgvector vector store failed: ${reason}`, options);
  }
}

/**
 * A vector store on PostgreSQL with the pgvector extension (upstream's `pgvector` backend). Each
 * collection is a table of its own, `astromesh_vectors_<n>` with a `vector(N)` column (N: the
 * collection's first vector), text, jsonb metadata and an HNSW index on cosine distance (`<=>`,
 * `vector_cosine_ops`), as pgvector recommends; a catalog table maps collection names to those
 * tables, so no name from a pipeline file ever becomes SQL: table names come from a sequence, and
 * every value is a parameter. Candidates come from the index and are re-ranked by exact cosine
 * similarity, ties in id order, so answers match the embedded store's.
 */
export function createPgvectorStore(options: { connectionString: string; maxConnections?: number }): VectorStore {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 4,
    // A server that never answers fails the request instead of holding it forever.
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its server (a restart) must not crash the runtime; the next query reconnects.
  pool.on('error', () => {});
  let ready: Promise<void> | undefined;

  /** Runs `work` on one pooled client inside BEGIN … COMMIT; any error rolls back and is rethrown. */
  async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Serialises writers of one collection until the transaction ends (so exactly one creates its table). */
  async function lockCollection(client: pg.PoolClient, collection: string): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`astromesh_vectors:${collection}`]);
  }

  function prepared(): Promise<void> {
    ready ??= transaction(async (client) => {
      // Two runtimes starting at once on one database: the first creates, the second waits.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('astromesh_vector_catalog'))");
      await client.query('CREATE EXTENSION IF NOT EXISTS vector');
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${catalogTable} (
             collection text PRIMARY KEY,
             table_number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
             dimensions integer NOT NULL
           )`,
      );
    }).catch((err: unknown) => {
      // Not ready after all (the server was down): the next call tries again.
      ready = undefined;
      throw err;
    });
    return ready;
  }

  async function collectionTable(
    client: pg.PoolClient | pg.Pool,
    collection: string,
  ): Promise<{ table: string; dimensions: number } | undefined> {
    const { rows } = await client.query<{ table_number: string; dimensions: number }>(
      `SELECT table_number, dimensions FROM ${catalogTable} WHERE collection = $1`,
      [collection],
    );
    const row = rows[0];
    return row ? { table: tableName(row.table_number), dimensions: row.dimensions } : undefined;
  }

  const store: VectorStore = {
    async upsert(collection, records) {
      if (records.length === 0) return;
      await prepared();
      await transaction(async (client) => {
        await lockCollection(client, collection);
        let existing = await collectionTable(client, collection);
        const expected = existing?.dimensions ?? records[0]?.embedding.length ?? 0;
        for (const record of records) {
          if (record.embedding.length !== expected) {
            throw new VectorDimensionMismatch(collection, expected, record.embedding.length);
          }
        }
        if (!existing) {
          const { rows } = await client.query<{ table_number: string }>(
            `INSERT INTO ${catalogTable} (collection, dimensions) VALUES ($1, $2) RETURNING table_number`,
            [collection, expected],
          );
          const table = tableName(rows[0]?.table_number as string);
          // `expected` is a checked integer (a vector's length), never text from a request.
          await client.query(
            `CREATE TABLE ${table} (
               id text PRIMARY KEY,
               text text NOT NULL,
               metadata jsonb NOT NULL,
               embedding vector(${Number(expected)}) NOT NULL
             )`,
          );
          await client.query(`CREATE INDEX ON ${table} USING hnsw (embedding vector_cosine_ops)`);
          existing = { table, dimensions: expected };
        }
        // One statement per batch (arrays unnested), each id once: the last of a repeated id wins,
        // as it would row by row (ON CONFLICT cannot touch a row twice in one statement).
        const latest = new Map(records.map((record) => [record.id, record]));
        const batch = [...latest.values()];
        await client.query(
          `INSERT INTO ${existing.table} (id, text, metadata, embedding)
           SELECT id, text, metadata, embedding::vector
           FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[]) AS batch (id, text, metadata, embedding)
           ON CONFLICT (id) DO UPDATE SET text = excluded.text, metadata = excluded.metadata, embedding = excluded.embedding`,
          [
            batch.map((record) => record.id),
            batch.map((record) => record.text),
            batch.map((record) => JSON.stringify(record.metadata)),
            batch.map((record) => vectorLiteral(record.embedding)),
          ],
        );
      });
    },

    async query(collection, embedding, query) {
      await prepared();
      const existing = await collectionTable(pool, collection);
      if (!existing) return [];
      if (embedding.length !== existing.dimensions) {
        throw new VectorDimensionMismatch(collection, existing.dimensions, embedding.length);
      }
      const probe = Array.from(embedding);
      const filter = query.filter && Object.keys(query.filter).length > 0 ? query.filter : undefined;
      const candidates = query.topK + candidateSlack;
      type Row = { id: string; text: string; metadata: Record<string, unknown>; embedding: string };
      // One transaction so the ef_search setting (local to it) applies to this query only.
      const rows = await transaction(async (client) => {
        await client.query("SELECT set_config('hnsw.ef_search', $1, true)", [
          String(filter ? maxEfSearch : Math.min(maxEfSearch, Math.max(40, candidates))),
        ]);
        const isZero = probe.every((value) => value === 0);
        // The zero vector has no direction: every record scores 0 and ties go in id order. Zero
        // vectors are also left out of a cosine index, so that query reads the table in id order.
        const parameters: unknown[] = [filter ? JSON.stringify(filter) : null, candidates];
        if (!isZero) parameters.push(vectorLiteral(probe));
        const result = await client.query<Row>(
          `SELECT id, text, metadata, embedding::text AS embedding FROM ${existing.table}
           WHERE ($1::jsonb IS NULL OR metadata @> $1::jsonb)
           ORDER BY ${isZero ? 'id' : 'embedding <=> $3::vector'} LIMIT $2`,
          parameters,
        );
        return result.rows;
      });
      const threshold = query.scoreThreshold ?? Number.NEGATIVE_INFINITY;
      return rows
        .map(
          (row): ScoredRecord => ({
            id: row.id,
            text: row.text,
            metadata: row.metadata,
            score: cosineSimilarity(probe, JSON.parse(row.embedding) as number[]),
          }),
        )
        .filter((result) => result.score >= threshold)
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, query.topK);
    },

    async count(collection) {
      await prepared();
      const existing = await collectionTable(pool, collection);
      if (!existing) return 0;
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${existing.table}`);
      return Number(rows[0]?.n ?? 0);
    },

    async deleteCollection(collection) {
      await prepared();
      return transaction(async (client) => {
        await lockCollection(client, collection);
        const existing = await collectionTable(client, collection);
        if (!existing) return 0;
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${existing.table}`);
        await client.query(`DROP TABLE ${existing.table}`);
        await client.query(`DELETE FROM ${catalogTable} WHERE collection = $1`, [collection]);
        return Number(rows[0]?.n ?? 0);
      });
    },

    async close() {
      await pool.end();
    },
  };
  // Driver and server errors become a 503 naming what PostgreSQL said (its messages hold no
  // password: the connection string is never part of them).
  const guarded =
    <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await operation(...args);
      } catch (err) {
        if (err instanceof RuntimeError) throw err;
        throw new PgvectorRequestFailed(err instanceof Error ? err.message : String(err), { cause: err });
      }
    };
  return {
    upsert: guarded(store.upsert),
    query: guarded(store.query),
    count: guarded(store.count),
    deleteCollection: guarded(store.deleteCollection),
    close: store.close,
  };
}

/** A collection's table: named from the catalog's identity column, a number, never from input. */
function tableName(tableNumber: string): string {
  if (!/^[0-9]+$/.test(tableNumber)) throw new Error(`unexpected table number ${JSON.stringify(tableNumber)}`);
  return `astromesh_vectors_${tableNumber}`;
}

/** pgvector's text form, '[1,0.5,…]', passed as a parameter. */
function vectorLiteral(vector: ArrayLike<number>): string {
  return `[${Array.from(vector).join(',')}]`;
}
