import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { ragQuery } from './rag-query.ts';

describe('rag_query', () => {
  it('is not configured in this runtime', async () => {
    const running = runTool(ragQuery, { query: 'refund policy' });

    await expect(running).rejects.toMatchObject({
      code: 'not_configured',
      message: 'RAG is not configured for this runtime',
    });
  });

  it('still validates its input', () => {
    const parsed = ragQuery.inputSchema.safeParse({ query: 'x', top_k: 0 });

    expect(parsed.error?.issues[0]?.path).toEqual(['top_k']);
  });
});
