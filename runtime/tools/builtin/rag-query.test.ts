import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRagOf } from '../../rag/agent-rag.ts';
import { startTestRagService, type TestRagService } from '../../rag/test-support/a-rag-service.ts';
import { runTool } from '../test-support/a-tool-context.ts';
import { ragQuery } from './rag-query.ts';

const agentWithKnowledge = (pipeline: string) =>
  ({
    apiVersion: 'astromesh/v1',
    kind: 'Agent',
    metadata: { name: 'helper' },
    spec: { model: { primary: { provider: 'openai', model: 'm' } }, knowledge: { pipeline } },
  }) as Parameters<typeof agentRagOf>[0];

describe('rag_query', () => {
  let service: TestRagService;
  beforeAll(async () => {
    service = await startTestRagService({ handbook: { vector_store: { collection: 'handbook' } } });
    await service.rag.ingest(
      'handbook',
      [
        { text: 'Refunds are paid within 14 days of the return.', metadata: { page: 4 } },
        { text: 'Our office dog is called Biscuit.', metadata: { page: 9 } },
      ],
      { chunkSize: 512, chunkOverlap: 50 },
    );
  });
  afterAll(() => service.close());

  it("searches the agent's knowledge pipeline, best passage first, with score and metadata", async () => {
    const knowledge = agentRagOf(agentWithKnowledge('handbook'), service.rag).knowledge;

    const output = (await runTool(ragQuery, { query: 'when are refunds paid', top_k: 1 }, { knowledge })) as {
      results: { text: string; score: number; metadata: unknown }[];
    };

    expect(output.results).toEqual([
      { text: 'Refunds are paid within 14 days of the return.', score: expect.any(Number), metadata: { page: 4 } },
    ]);
    expect(output.results[0]?.score).toBeGreaterThan(0.3);
  });

  it('is not configured outside an agent, nor for an agent without knowledge.pipeline', async () => {
    await expect(runTool(ragQuery, { query: 'refunds' })).rejects.toMatchObject({
      code: 'not_configured',
      message: expect.stringContaining('no knowledge pipeline'),
    });
  });

  it('names a pipeline that is not loaded', async () => {
    const knowledge = agentRagOf(agentWithKnowledge('missing'), service.rag).knowledge;

    await expect(runTool(ragQuery, { query: 'refunds' }, { knowledge })).rejects.toMatchObject({
      code: 'not_configured',
      message: "RAG pipeline 'missing' is not loaded; see the runtime's log",
    });
  });

  it('still validates its input', () => {
    const parsed = ragQuery.inputSchema.safeParse({ query: 'x', top_k: 0 });

    expect(parsed.error?.issues[0]?.path).toEqual(['top_k']);
  });
});
