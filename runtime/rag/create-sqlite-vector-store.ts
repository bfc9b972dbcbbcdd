import type { StatementSync } from 'node:sqlite';
import { inWriteTransaction, openSqliteFile } from '../sqlite/open-sqlite-file.ts';
import { VectorDimensionMismatch } from './rag-errors.ts';
import type { ScoredRecord, VectorQuery, VectorStore } from './vector-store.ts';

/**
 * The embedded vector store: a SQLite file (node:sqlite) under the runtime's data directory, so
 * RAG and semantic memory need no server and survive restarts. Vectors are Float32 blobs with
 * their norm; a query ranks the collection's vectors by exact cosine similarity (brute force over
 * an in-memory copy; `npm run bench` measures it at 10,000 chunks). Metadata is kept as JSON.
 */
export function createSqliteVectorStore(options: { file: string }): VectorStore {
  const db = openSqliteFile(
    options.file,
    `
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
    `,
  );
  const statements = {
    dimensions: db.prepare('SELECT dimensions FROM vector_records WHERE collection = ? LIMIT 1'),
    upsert: db.prepare(
      `INSERT INTO vector_records (collection, id, text, metadata, dimensions, norm, embedding)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET
         text = excluded.text, metadata = excluded.metadata, dimensions = excluded.dimensions,
         norm = excluded.norm, embedding = excluded.embedding`,
    ),
    vectors: db.prepare('SELECT id, norm, embedding FROM vector_records WHERE collection = ? ORDER BY id'),
    dataVersion: db.prepare('PRAGMA data_version'),
    record: db.prepare('SELECT text, metadata FROM vector_records WHERE collection = ? AND id = ?'),
    count: db.prepare('SELECT count(*) AS n FROM vector_records WHERE collection = ?'),
    delete: db.prepare('DELETE FROM vector_records WHERE collection = ?'),
  };
  const filteredQueries = new Map<string, StatementSync>();

  // A collection's vectors in one Float32Array, read once and kept until it changes: a query then
  // ranks memory instead of reading every blob again. Our own writes drop the collection's entry;
  // PRAGMA data_version moves when another connection (another runtime on the file) commits, and
  // then every entry is dropped.
  const matrices = new Map<string, { ids: string[]; norms: Float64Array; matrix: Float32Array }>();
  let seenDataVersion = dataVersion();
  function dataVersion(): number {
    return (statements.dataVersion.get() as { data_version: number }).data_version;
  }
  function collectionMatrix(collection: string, dimensions: number) {
    const version = dataVersion();
    if (version !== seenDataVersion) {
      matrices.clear();
      seenDataVersion = version;
    }
    let cached = matrices.get(collection);
    if (!cached) {
      const rows = statements.vectors.all(collection) as { id: string; norm: number; embedding: Uint8Array }[];
      cached = { ids: [], norms: new Float64Array(rows.length), matrix: new Float32Array(rows.length * dimensions) };
      for (const [index, row] of rows.entries()) {
        const bytes = row.embedding.byteOffset % 4 === 0 ? row.embedding : row.embedding.slice();
        cached.matrix.set(new Float32Array(bytes.buffer, bytes.byteOffset, dimensions), index * dimensions);
        cached.norms[index] = row.norm;
        cached.ids.push(row.id);
      }
      matrices.set(collection, cached);
    }
    return cached;
  }

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
      inWriteTransaction(db, () => {
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
      });
      matrices.delete(collection);
    },

    async query(collection, embedding, query) {
      const dimensions = dimensionsOf(collection);
      if (dimensions === undefined) return [];
      if (embedding.length !== dimensions) throw new VectorDimensionMismatch(collection, dimensions, embedding.length);
      const probe = Float32Array.from(embedding);
      const probeNorm = normOf(probe);
      const threshold = query.scoreThreshold ?? Number.NEGATIVE_INFINITY;
      const best: { id: string; score: number }[] = [];
      const consider = (id: string, vector: Float32Array, offset: number, norm: number) => {
        let dot = 0;
        for (let i = 0; i < dimensions; i++) dot += (vector[offset + i] as number) * (probe[i] as number);
        const score = probeNorm === 0 || norm === 0 ? 0 : dot / (probeNorm * norm);
        if (score < threshold) return;
        // Vectors come in id order, so a later one with an equal score goes after: ties in id order.
        if (best.length === query.topK && score <= (best.at(-1)?.score ?? Number.NEGATIVE_INFINITY)) return;
        let at = best.length;
        while (at > 0 && (best[at - 1]?.score ?? 0) < score) at--;
        best.splice(at, 0, { id, score });
        if (best.length > query.topK) best.pop();
      };
      if (query.filter === undefined || Object.keys(query.filter).length === 0) {
        const cached = collectionMatrix(collection, dimensions);
        for (let row = 0; row < cached.ids.length; row++) {
          consider(cached.ids[row] as string, cached.matrix, row * dimensions, cached.norms[row] as number);
        }
      } else {
        for (const row of candidates(collection, query.filter)) {
          const bytes = row.embedding.byteOffset % 4 === 0 ? row.embedding : row.embedding.slice();
          consider(row.id, new Float32Array(bytes.buffer, bytes.byteOffset, dimensions), 0, row.norm);
        }
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
      matrices.delete(collection);
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
