import type { Logger } from 'pino';
import type { AgentDocument } from '../config/agent-schema.ts';
import type { ChatMessage } from '../router/model-types.ts';
import type { KnowledgeBase, RagResult, RagService, SemanticMemory } from './create-rag-service.ts';

/** What an agent's `knowledge` and `memory.semantic` sections give its runs and its rag tools. */
export interface AgentRag {
  knowledge: AgentKnowledge;
  semantic: { memory: SemanticMemory; threshold: number; maxResults: number } | undefined;
}

/** The pipeline behind an agent's knowledge section and its rag_query/rag_ingest tools. */
export interface AgentKnowledge {
  /** knowledge.pipeline; undefined when the agent names none. */
  pipeline: string | undefined;
  /** The pipeline, looked up now; undefined while no loaded RAGPipeline has that name. */
  base(): KnowledgeBase | undefined;
}

// Upstream's memory.semantic defaults (core/memory.py).
const defaultSimilarityThreshold = 0.75;
const defaultMaxResults = 10;

export function agentRagOf(document: AgentDocument, rag: RagService | undefined): AgentRag {
  const pipeline = document.spec.knowledge?.pipeline;
  const semantic = document.spec.memory?.semantic;
  return {
    knowledge: {
      pipeline,
      base: () => (pipeline === undefined ? undefined : rag?.knowledge(pipeline)),
    },
    semantic:
      semantic?.embeddings && rag
        ? {
            memory: rag.semanticMemory(document.metadata.name, { ...semantic, embeddings: semantic.embeddings }),
            threshold: semantic.similarity_threshold ?? defaultSimilarityThreshold,
            maxResults: semantic.max_results ?? defaultMaxResults,
          }
        : undefined,
  };
}

/**
 * What retrieval adds to a run's prompt, as upstream does it: the top_k chunks of the agent's
 * pipeline for the query, joined by blank lines, are the `{{ knowledge }}` prompt variable; when
 * the system prompt does not render it, they go in a system message right before the query (what
 * changes per query goes last, next to it). Memories of this session similar to the query
 * (memory.semantic) go in one too. Retrieval never fails a run: a pipeline that is missing or
 * down is logged and the run goes on without it.
 */
export async function retrieveForPrompt(options: {
  rag: AgentRag;
  topK: number | undefined;
  query: string;
  sessionId: string;
  promptRendersKnowledge: boolean;
  signal: AbortSignal;
  log: Logger;
}): Promise<{ knowledge: string; messages: ChatMessage[] }> {
  const { rag, query, signal, log } = options;
  const messages: ChatMessage[] = [];
  let knowledge = '';
  if (rag.knowledge.pipeline !== undefined) {
    const base = rag.knowledge.base();
    if (!base) {
      log.warn(
        { pipeline: rag.knowledge.pipeline },
        'knowledge.pipeline names no loaded RAGPipeline; running without it',
      );
    } else {
      try {
        knowledge = formatChunks(await base.query(query, { topK: options.topK, signal }));
      } catch (err) {
        if (signal.aborted) throw err;
        log.warn({ err, pipeline: base.pipeline }, 'knowledge retrieval failed; running without it');
      }
    }
    if (knowledge !== '' && !options.promptRendersKnowledge) {
      messages.push({ role: 'system', content: `Relevant knowledge for this question:\n\n${knowledge}` });
    }
  }
  if (rag.semantic) {
    try {
      const memories = await rag.semantic.memory.search(query, {
        topK: rag.semantic.maxResults,
        scoreThreshold: rag.semantic.threshold,
        // Per session, as upstream: a memory of another session is what another person was told.
        sessionId: options.sessionId,
        signal,
      });
      if (memories.length > 0) {
        messages.push({
          role: 'system',
          content: `Relevant memories of this conversation:\n\n${formatChunks(memories)}`,
        });
      }
    } catch (err) {
      if (signal.aborted) throw err;
      log.warn({ err }, 'semantic memory recall failed; running without it');
    }
  }
  return { knowledge, messages };
}

/** Keeps a finished turn in the agent's semantic memory; a failure is logged, the run already answered. */
export async function rememberTurn(
  rag: AgentRag,
  turn: { sessionId: string; query: string; answer: string; at: Date },
  log: Logger,
): Promise<void> {
  if (!rag.semantic || turn.answer.trim() === '') return;
  try {
    await rag.semantic.memory.remember({
      sessionId: turn.sessionId,
      text: `user: ${turn.query}\nassistant: ${turn.answer}`,
      at: turn.at,
    });
  } catch (err) {
    log.warn({ err, session: turn.sessionId }, 'semantic memory could not keep the turn');
  }
}

function formatChunks(results: readonly RagResult[]): string {
  return results
    .map((result) => result.text.trim())
    .filter((text) => text !== '')
    .join('\n\n');
}
