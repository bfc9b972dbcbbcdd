import { z } from 'zod';
import { type Tool, ToolError } from '../tool-types.ts';

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
  async run() {
    // The runtime has no RAG pipeline yet; the tool is listed so upstream agent files still load.
    throw new ToolError('not_configured', 'RAG is not configured for this runtime');
  },
};
