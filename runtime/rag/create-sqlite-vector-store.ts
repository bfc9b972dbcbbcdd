import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { VectorDimensionMismatch } from './rag-errors.ts';
import type { ScoredRecord, VectorQuery, VectorStore } from './vector-store.ts';

// As the SQLite conversation store: another process on the file makes writes wait, not fail.
const busyTimeoutMs = 2_000;

/**
 * The embedded vector store: a SQLite file (node:sqlite) under the runtime's data directory, so
 * RAG and semantic memory need no server and survive restarts. Vectors are Float32 blobs with
 * their norm; a query reads the collection's vectors and ranks them by exact cosine similarity
 * (brute force: `npm run bench` measures it at 10,000 chunks). Metadata is kept as JSON.
 */
export function createSqliteVectorStore(options: { file: string }): VectorStore {
  mkdirSync(dirname(options.file), { recursive: true });
  const db = new DatabaseSync(options.file);
  try {
    db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA busy_timeout = ${busyTimeoutMs};
      CREATE TABLE IF NOT EXISTS vector_records (
        collection TEXT NOT NULL,
        id TEXT NOT NULL,
        text TEXT NOT NULL,
        metadata TEXT NOT NULL,
        dimensions INTEGER NOT NULL,
        norm REAL NOT NULL,
        embedding BLOB NOT NULL,
        PRIMARY KEY (collection, id)
      ) WITHOUT ROWID;
    `);
  } catch (err) {
    db.close();
    throw err;
  }
  const statements = {
    dimensions: db.prepare('SELECT dimensions FROM vector_records WHERE collection = ? LIMIT 1'),
    upsert: db.prepare(
      `INSERT INTO vector_records (collection, id, text, metadata, dimensions, norm, embedding)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET
         text = excluded.text, metadata = excluded.metadata, dimensions = excluded.dimensions,
         norm = excluded.norm, embedding = excluded.embedding`,
    ),
    record: db.prepare('SELECT text, metadata FROM vector_records WHERE collection = ? AND id = ?'),
    count: db.prepare('SELECT count(*) AS n FROM vector_records WHERE collection = ?'),
    delete: db.prepare('DELETE FROM vector_records WHERE collection = ?'),
  };
  const filteredQueries = new Map<string, StatementSync>();

  function dimensionsOf(collection: string): number | undefined {
    const row = statements.dimensions.get(collection) as { dimensions: number } | undefined;
    return row?.dimensions;
  }

  /** The rows to rank: the whole collection, or those whose metadata matches the filter (json_extract). */
  function candidates(collection: string, filter: VectorQuery['filter']) {
    const keys = Object.keys(filter ?? {}).sort();
    const sqlKey = keys.join('\u0000');
    let statement = filteredQueries.get(sqlKey);
    if (!statement) {
      const conditions = keys.map(() => 'AND json_extract(metadata, ?) = ?').join(' ');
      statement = db.prepare(
        `SELECT id, norm, embedding FROM vector_records WHERE collection = ? ${conditions} ORDER BY id`,
      );
      filteredQueries.set(sqlKey, statement);
    }
    const parameters = keys.flatMap((key) => {
      const value = filter?.[key];
      // SQLite has no booleans: json_extract gives 1 or 0 for true and false.
      return [`$."${key.replaceAll('"', '""')}"`, typeof value === 'boolean' ? Number(value) : (value ?? null)];
    });
    return statement.iterate(collection, ...parameters) as Iterable<{
      id: string;
      norm: number;
      embedding: Uint8Array;
    }>;
  }

  return {
    async upsert(collection, records) {
      if (records.length === 0) return;
      const expected = dimensionsOf(collection) ?? records[0]?.embedding.length ?? 0;
      for (const record of records) {
        if (record.embedding.length !== expected) {
          throw new VectorDimensionMismatch(collection, expected, record.embedding.length);
        }
      }
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const record of records) {
          const vector = Float32Array.from(record.embedding);
          statements.upsert.run(
            collection,
            record.id,
            record.text,
            JSON.stringify(record.metadata),
            vector.length,
            normOf(vector),
            new Uint8Array(vector.buffer),
          );
        }
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    },

    async query(collection, embedding, query) {
      const dimensions = dimensionsOf(collection);
      if (dimensions === undefined) return [];
      if (embedding.length !== dimensions) throw new VectorDimensionMismatch(collection, dimensions, embedding.length);
      const probe = Float32Array.from(embedding);
      const probeNorm = normOf(probe);
      const threshold = query.scoreThreshold ?? Number.NEGATIVE_INFINITY;
      const best: { id: string; score: number }[] = [];
      for (const row of candidates(collection, query.filter)) {
        const bytes = row.embedding.byteOffset % 4 === 0 ? row.embedding : row.embedding.slice();
        const vector = new Float32Array(bytes.buffer, bytes.byteOffset, dimensions);
        let dot = 0;
        for (let i = 0; i < dimensions; i++) dot += (vector[i] as number) * (probe[i] as number);
        const score = probeNorm === 0 || row.norm === 0 ? 0 : dot / (probeNorm * row.norm);
        if (score < threshold) continue;
        // Rows arrive in id order, so a later row with an equal score goes after: ties in id order.
        if (best.length === query.topK && score <= (best.at(-1)?.score ?? Number.NEGATIVE_INFINITY)) continue;
        let at = best.length;
        while (at > 0 && (best[at - 1]?.score ?? 0) < score) at--;
        best.splice(at, 0, { id: row.id, score });
        if (best.length > query.topK) best.pop();
      }
      return best.map(({ id, score }) => {
        const row = statements.record.get(collection, id) as { text: string; metadata: string };
        return { id, text: row.text, metadata: JSON.parse(row.metadata), score } satisfies ScoredRecord;
      });
    },

    async count(collection) {
      return (statements.count.get(collection) as { n: number }).n;
    },

    async deleteCollection(collection) {
      return Number(statements.delete.run(collection).changes);
    },

    async close() {
      if (db.isOpen) db.close();
    },
  };
}

function normOf(vector: Float32Array): number {
  let sum = 0;
  for (const value of vector) sum += value * value;
  return Math.sqrt(sum);
}
