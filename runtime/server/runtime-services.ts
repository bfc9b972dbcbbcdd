import type { CatalogEntry } from '../config/agent-catalog.ts';
import type { AgentEngine } from '../engine/create-agent-engine.ts';
import type { MetricsRegistry } from '../observability/metrics-registry.ts';
import type { TraceStore } from '../observability/trace-store.ts';
import type { RagPipelineEntry } from '../rag/create-rag-pipeline-catalog.ts';
import type { RagService } from '../rag/create-rag-service.ts';
import type { BreakerRegistry } from '../router/circuit-breaker.ts';
import type { ToolResult } from '../tools/tool-types.ts';

/** What the HTTP and WebSocket layer calls; main.ts wires the real parts. */
export interface RuntimeServices {
  engine: AgentEngine;
  agentFiles: () => CatalogEntry[];
  traces: TraceStore;
  metrics: MetricsRegistry;
  builtinTools: {
    list(): { name: string; description: string; parameters: Record<string, unknown> }[];
    execute(tool: string, input: unknown, signal: AbortSignal): Promise<ToolResult>;
  };
  breakers: BreakerRegistry;
  /** POST /v1/rag/ingest and /v1/rag/query. */
  rag: Pick<RagService, 'ingest' | 'query'>;
  /** The RAGPipeline files as loaded, for GET /v1/rag/pipelines. */
  ragPipelines: () => RagPipelineEntry[];
  /** Re-reads the agents directory and the credentials now, instead of waiting for file events. */
  reload: () => Promise<void>;
  version: string;
  startedAtMs: number;
  now: () => number;
}
