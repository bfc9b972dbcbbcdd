// npm run bench: ingest and query throughput of the embedded vector store (SQLite under the data
// directory, exact cosine top-k by brute force) at 10,000 chunks, for 256-dimensional vectors (the
// fakes' size) and 768 (nomic-embed-text's); then of pgvector (HNSW, a real PostgreSQL 16 with
// pgvector 0.6.2) and Chroma (a real `chroma run`), each on this machine over loopback. Vectors come from the fakes' hashed bag of words over
// generated sentences, so they are sparse-ish like real ones are not; brute force does the same
// work for any values. Prints numbers, asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChromaStore } from '../../runtime/rag/create-chroma-store.ts';
import { createPgvectorStore } from '../../runtime/rag/create-pgvector-store.ts';
import { createSqliteVectorStore } from '../../runtime/rag/create-sqlite-vector-store.ts';
import type { VectorStore } from '../../runtime/rag/vector-store.ts';
import { fakeEmbedding } from '../fakes/fake-embeddings.ts';
import { startChromaServer } from '../support/start-chroma-server.ts';
import { startPgvectorPostgres } from '../support/start-pgvector-postgres.ts';

const chunks = 10_000;
const batchSize = 256;
const queries = 200;
const topK = 5;

const words = (
  'router provider model agent memory session refund policy warehouse deploy rollout pod cluster ' +
  'token stream filter guardrail tool search index chunk vector embed query answer prompt budget ' +
  'retry breaker latency trace metric tenant quota billing invoice shipping parcel customer order'
).split(' ');

/** A deterministic pseudo-random sentence of 12–40 words (mulberry32). */
function sentences(seed: number): () => string {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const length = 12 + Math.floor(next() * 29);
    return Array.from({ length }, () => words[Math.floor(next() * words.length)]).join(' ');
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(backend: string, store: VectorStore, dimensions: number): Promise<void> {
  try {
    const sentence = sentences(dimensions);
    const records = Array.from({ length: chunks }, (_, index) => {
      const text = sentence();
      return { id: `doc:${index}`, text, metadata: { page: index }, embedding: fakeEmbedding(text, dimensions) };
    });

    const ingestStart = performance.now();
    for (let start = 0; start < records.length; start += batchSize) {
      await store.upsert('bench', records.slice(start, start + batchSize));
    }
    const ingestMs = performance.now() - ingestStart;

    const probes = Array.from({ length: queries }, () => fakeEmbedding(sentence(), dimensions));
    await store.query('bench', probes[0] ?? [], { topK }); // warm the page cache and the statement
    const latencies: number[] = [];
    const queryStart = performance.now();
    for (const probe of probes) {
      const started = performance.now();
      await store.query('bench', probe, { topK });
      latencies.push(performance.now() - started);
    }
    const queryMs = performance.now() - queryStart;
    latencies.sort((a, b) => a - b);

    process.stdout.write(
      `${backend}, ${dimensions} dimensions, ${chunks} chunks:\n` +
        `  ingest: ${Math.round(ingestMs)} ms, ${Math.round(chunks / (ingestMs / 1000))} chunks/s (batches of ${batchSize})\n` +
        `  query (top_k ${topK}, ${queries} queries): median ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p95 ${percentile(latencies, 95).toFixed(1)} ms, ${(queries / (queryMs / 1000)).toFixed(1)} queries/s\n`,
    );
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'vector-bench-'));
for (const dimensions of [256, 768]) {
  await measure('sqlite', createSqliteVectorStore({ file: join(dir, `${dimensions}`, 'vectors.sqlite') }), dimensions);
}
rmSync(dir, { recursive: true, force: true });

// The servers come from `npm run test:binaries`; one that cannot start is reported, not hidden.
for (const [backend, start] of [
  [
    'pgvector',
    async () => {
      const server = await startPgvectorPostgres();
      return { open: () => createPgvectorStore({ connectionString: server.url }), stop: server.stop };
    },
  ],
  [
    'chroma',
    async () => {
      const server = await startChromaServer();
      return { open: () => createChromaStore({ url: server.url }), stop: server.stop };
    },
  ],
] as const) {
  let server: { open(): VectorStore; stop(): Promise<void> };
  try {
    server = await start();
  } catch (err) {
    process.stdout.write(
      `${'!'.repeat(100)}\n${backend} not measured: ${(err as Error).message}\n${'!'.repeat(100)}\n`,
    );
    continue;
  }
  try {
    // A collection per size: one collection holds one vector length.
    for (const dimensions of [256, 768])
      await measure(backend, renamed(server.open(), `bench-${dimensions}`), dimensions);
  } finally {
    await server.stop();
  }
}

/** The store with its 'bench' collection kept under another name. */
function renamed(store: VectorStore, collection: string): VectorStore {
  return {
    upsert: (_, records) => store.upsert(collection, records),
    query: (_, embedding, query) => store.query(collection, embedding, query),
    count: () => store.count(collection),
    deleteCollection: () => store.deleteCollection(collection),
    close: () => store.close(),
  };
}
