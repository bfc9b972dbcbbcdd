import { z } from 'zod';
import { asToolError, knowledgeOfToolContext } from '../../rag/knowledge-of-tool-context.ts';
import type { Tool } from '../tool-types.ts';

const RagIngestInput = z.object({
  document: z.string().min(1).max(1_000_000).describe('The text of the document to add.'),
  metadata: z.record(z.string(), z.unknown()).optional().describe('Facts about the document (source, title, date…).'),
});
type RagIngestInput = z.infer<typeof RagIngestInput>;

export const ragIngest: Tool<RagIngestInput> = {
  name: 'rag_ingest',
  description:
    "Add a document to the agent's knowledge base so later rag_query searches can find it. Use it when the " +
    'user gives you material to remember for future questions.',
  inputSchema: RagIngestInput,
  async run(input, context) {
    const knowledge = knowledgeOfToolContext(context);
    try {
      // Chunked and embedded as the agent's pipeline says (its chunking and embeddings sections).
      const { chunks } = await knowledge.ingest({ text: input.document, metadata: input.metadata }, context.signal);
      return { ingested: true, chunks };
    } catch (err) {
      throw asToolError(err);
    }
  },
};
