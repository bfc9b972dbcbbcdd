import { z } from 'zod';
import { asToolError, knowledgeOfToolContext } from '../../rag/knowledge-of-tool-context.ts';
import type { Tool } from '../tool-types.ts';

const RagQueryInput = z.object({
  query: z.string().min(1).max(4_000).describe('What to look up in the knowledge base.'),
  top_k: z.int().min(1).max(50).default(5).describe('How many passages to return.'),
});
type RagQueryInput = z.infer<typeof RagQueryInput>;

export const ragQuery: Tool<RagQueryInput> = {
  name: 'rag_query',
  description:
    "Search the agent's knowledge base (documents ingested into its RAG pipeline) and get the passages most " +
    "relevant to a question. Use it before answering questions about the organisation's own documents.",
  inputSchema: RagQueryInput,
  async run(input, context) {
    const knowledge = knowledgeOfToolContext(context);
    try {
      // Upstream's answer: { results: [{ text, score, metadata }] }.
      return { results: await knowledge.query(input.query, { topK: input.top_k, signal: context.signal }) };
    } catch (err) {
      throw asToolError(err);
    }
  },
};
