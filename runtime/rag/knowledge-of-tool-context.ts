import { RuntimeError } from '../runtime-error.ts';
import { type ToolContext, ToolError } from '../tools/tool-types.ts';
import type { KnowledgeBase } from './create-rag-service.ts';

/**
 * The pipeline rag_query and rag_ingest work on: the agent's knowledge.pipeline. Without one
 * (or outside an agent, as POST /v1/tools/execute runs tools) the tool is not configured.
 */
export function knowledgeOfToolContext(context: ToolContext): KnowledgeBase {
  const pipeline = context.knowledge?.pipeline;
  if (!context.knowledge || pipeline === undefined) {
    throw new ToolError(
      'not_configured',
      "this agent has no knowledge pipeline: set the agent's knowledge.pipeline to a RAGPipeline's metadata.name",
    );
  }
  const base = context.knowledge.base();
  if (!base) throw new ToolError('not_configured', `RAG pipeline '${pipeline}' is not loaded; see the runtime's log`);
  return base;
}

/** An embedding or store failure as the tool's result, so the model reads it and still answers. */
export function asToolError(err: unknown): unknown {
  if (err instanceof RuntimeError) return new ToolError('failed', err.message, { cause: err });
  return err;
}
