// npm run bench: ingest and query throughput of the embedded vector store (SQLite under the data
// directory, exact cosine top-k by brute force) at 10,000 chunks, for 256-dimensional vectors (the
// fakes' size) and 768 (nomic-embed-text's). Vectors come from the fakes' hashed bag of words over
// generated sentences, so they are sparse-ish like real ones are not; brute force does the same
// work for any values. Prints numbers, asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteVectorStore } from '../../runtime/rag/create-sqlite-vector-store.ts';
import { fakeEmbedding } from '../fakes/fake-embeddings.ts';

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

async function measure(dimensions: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vector-bench-'));
  const store = createSqliteVectorStore({ file: join(dir, 'rag', 'vectors.sqlite') });
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
      `${dimensions} dimensions, ${chunks} chunks:\n` +
        `  ingest: ${Math.round(ingestMs)} ms, ${Math.round(chunks / (ingestMs / 1000))} chunks/s (batches of ${batchSize})\n` +
        `  query (top_k ${topK}, ${queries} queries): median ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p95 ${percentile(latencies, 95).toFixed(1)} ms, ${(queries / (queryMs / 1000)).toFixed(1)} queries/s\n`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const dimensions of [256, 768]) await measure(dimensions);
