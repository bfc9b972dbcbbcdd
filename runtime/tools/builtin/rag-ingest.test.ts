import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { ragIngest } from './rag-ingest.ts';

describe('rag_ingest', () => {
  it('is not configured in this runtime', async () => {
    const running = runTool(ragIngest, { document: 'Refunds take 5 days.', metadata: { source: 'faq' } });

    await expect(running).rejects.toMatchObject({
      code: 'not_configured',
      message: 'RAG is not configured for this runtime',
    });
  });

  it('still validates its input', () => {
    const parsed = ragIngest.inputSchema.safeParse({ document: '' });

    expect(parsed.error?.issues[0]?.path).toEqual(['document']);
  });
});
