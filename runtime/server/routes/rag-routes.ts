import { basename } from 'node:path';
import type Router from '@koa/router';
import { z } from 'zod';
import { CollectionName } from '../../rag/rag-pipeline-schema.ts';
import type { RuntimeServices } from '../runtime-services.ts';
import { abortOnClientGone } from './abort-on-client-gone.ts';
import { parse } from './parse.ts';

// The contracts of /v1/rag (seed 002); the OpenAPI document (../openapi/) is built from them.

const Metadata = z.record(z.string(), z.unknown());

export const RagIngestRequest = z
  .object({
    collection: CollectionName.describe('A collection a RAGPipeline file serves (its vector_store.collection).'),
    documents: z
      .array(
        z.object({
          text: z.string().min(1).max(1_000_000),
          metadata: Metadata.default({}).describe('Kept with every chunk of the document, and returned by queries.'),
        }),
      )
      .min(1)
      .max(1000),
    chunk_size: z.int().min(1).max(100_000).default(512).describe('Characters per chunk.'),
    chunk_overlap: z
      .int()
      .min(0)
      .max(99_999)
      .default(50)
      .describe('Characters each chunk repeats from the one before.'),
  })
  .refine((body) => body.chunk_overlap < body.chunk_size, {
    message: 'must be less than chunk_size',
    path: ['chunk_overlap'],
  });

export const RagIngestAnswer = z.object({
  collection: z.string(),
  documents_ingested: z.int(),
  chunks_created: z.int(),
});

export const RagQueryRequest = z.object({
  collection: CollectionName,
  query: z.string().min(1).max(8_000),
  top_k: z.int().min(1).max(100).default(5),
  score_threshold: z.number().min(-1).max(1).default(0).describe('Minimum cosine similarity.'),
});

export const RagResults = z.object({
  results: z.array(z.object({ text: z.string(), score: z.number(), metadata: Metadata })),
});

export const RagPipelineList = z.object({
  pipelines: z.array(
    z.object({
      name: z.string(),
      file: z.string().describe("The file's name in the agents directory."),
      collection: z.string().optional(),
      status: z.enum(['ready', 'error']),
      error: z.string().optional().describe('Why the file is refused: the file, the field and the reason.'),
      warnings: z.array(z.string()).optional(),
    }),
  ),
});

export function ragRoutes(router: Router, services: RuntimeServices): void {
  router.get('/rag/pipelines', (ctx) => {
    ctx.body = {
      pipelines: services.ragPipelines().map((entry) => ({
        name: entry.name,
        file: basename(entry.file),
        ...(entry.pipeline ? { collection: entry.pipeline.collection } : {}),
        status: entry.error ? ('error' as const) : ('ready' as const),
        ...(entry.error ? { error: entry.error } : {}),
        ...(entry.warnings.length > 0 ? { warnings: entry.warnings } : {}),
      })),
    } satisfies z.infer<typeof RagPipelineList>;
  });

  router.post('/rag/ingest', async (ctx) => {
    const body = parse(RagIngestRequest, ctx.request.body);
    ctx.body = (await services.rag.ingest(
      body.collection,
      body.documents,
      { chunkSize: body.chunk_size, chunkOverlap: body.chunk_overlap },
      abortOnClientGone(ctx),
    )) satisfies z.infer<typeof RagIngestAnswer>;
  });

  router.post('/rag/query', async (ctx) => {
    const body = parse(RagQueryRequest, ctx.request.body);
    const results = await services.rag.query(
      body.collection,
      body.query,
      { topK: body.top_k, scoreThreshold: body.score_threshold },
      abortOnClientGone(ctx),
    );
    ctx.body = { results } satisfies z.infer<typeof RagResults>;
  });
}
