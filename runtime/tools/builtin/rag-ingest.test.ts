import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRagOf } from '../../rag/agent-rag.ts';
import { startTestRagService, type TestRagService } from '../../rag/test-support/a-rag-service.ts';
import { runTool } from '../test-support/a-tool-context.ts';
import { ragIngest } from './rag-ingest.ts';

describe('rag_ingest', () => {
  let service: TestRagService;
  beforeAll(async () => {
    service = await startTestRagService({ notes: { chunking: { strategy: 'fixed', chunk_size: 20, overlap: 5 } } });
  });
  afterAll(() => service.close());

  it("chunks and embeds the document into the agent's pipeline, as its chunking section says", async () => {
    const knowledge = agentRagOf(
      {
        apiVersion: 'astromesh/v1',
        kind: 'Agent',
        metadata: { name: 'helper' },
        spec: { model: { primary: { provider: 'openai', model: 'm' } }, knowledge: { pipeline: 'notes' } },
      } as Parameters<typeof agentRagOf>[0],
      service.rag,
    ).knowledge;

    const output = await runTool(
      ragIngest,
      { document: 'The launch moved to Thursday at noon, room 4.', metadata: { from: 'chat' } },
      { knowledge },
    );
    const found = await service.rag.query('notes', 'launch Thursday', { topK: 1, scoreThreshold: 0 });

    // 46 characters in chunks of 20 that repeat 5: 0–20, 15–35, 30–46.
    expect(output).toEqual({ ingested: true, chunks: 3 });
    expect(found[0]?.metadata).toEqual({ from: 'chat' });
  });

  it('is not configured outside an agent', async () => {
    await expect(runTool(ragIngest, { document: 'x' })).rejects.toMatchObject({ code: 'not_configured' });
  });
});
