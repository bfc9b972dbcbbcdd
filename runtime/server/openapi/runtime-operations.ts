import type { z } from 'zod';
import { RunRequest } from '../../engine/run-request.ts';
import { AgentDetail, AgentList, AgentParams, RunAnswer } from '../routes/agent-routes.ts';
import { Health } from '../routes/health-route.ts';
import { History, HistoryCleared, HistoryParams } from '../routes/memory-routes.ts';
import {
  MetricsReset,
  MetricsSnapshot,
  ReloadAnswer,
  SystemStatus,
  Trace,
  TraceList,
  TraceParams,
  TraceQuery,
} from '../routes/observability-routes.ts';
import {
  RagIngestAnswer,
  RagIngestRequest,
  RagPipelineList,
  RagQueryRequest,
  RagResults,
} from '../routes/rag-routes.ts';
import { SemanticParams, SemanticQuery, SemanticResults } from '../routes/semantic-memory-route.ts';
import { BuiltinToolList, ExecuteToolRequest, ToolAnswer, ToolList } from '../routes/tool-routes.ts';

/** One route of astromeshd's /v1 API as its OpenAPI document describes it. */
export interface RuntimeOperation {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI form, relative to /v1: `/agents/{name}/run`. */
  path: string;
  summary: string;
  tag: string;
  /** Open without the bearer token (health and this document). */
  isPublic?: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Undefined: the document itself, whose schema is OpenAPI's own. */
  response?: z.ZodType;
  /** Error statuses besides 400 (every route), 401 (token routes) and 413 (routes with a body). */
  errors?: number[];
}

/**
 * Every route of the runtime's /v1 HTTP API (seed 002) with the schemas its handler uses; the
 * WebSocket /v1/ws/agent/{name} is not HTTP and not here. A test holds this list to the router.
 */
export const runtimeOperations: readonly RuntimeOperation[] = [
  {
    method: 'get',
    path: '/health',
    summary: 'Liveness; open without the token',
    tag: 'System',
    isPublic: true,
    response: Health,
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    tag: 'System',
    isPublic: true,
  },
  { method: 'get', path: '/agents', summary: 'List the agents and their status', tag: 'Agents', response: AgentList },
  {
    method: 'get',
    path: '/agents/{name}',
    summary: "Get an agent's model, orchestration, tools, memory and guardrails",
    tag: 'Agents',
    params: AgentParams,
    response: AgentDetail,
    errors: [404, 503],
  },
  {
    method: 'post',
    path: '/agents/{name}/run',
    summary: 'Run an agent on a query',
    tag: 'Agents',
    params: AgentParams,
    body: RunRequest,
    response: RunAnswer,
    errors: [404, 408, 499, 502, 503],
  },
  {
    method: 'get',
    path: '/memory/{agent}/history/{session}',
    summary: "A session's conversation",
    tag: 'Memory',
    params: HistoryParams,
    response: History,
    errors: [404, 503],
  },
  {
    method: 'delete',
    path: '/memory/{agent}/history/{session}',
    summary: "Forget a session's conversation",
    tag: 'Memory',
    params: HistoryParams,
    response: HistoryCleared,
    errors: [404, 503],
  },
  {
    method: 'get',
    path: '/memory/{agent}/semantic',
    summary: "Search an agent's semantic memory (memory.semantic) for entries similar to a text",
    tag: 'Memory',
    params: SemanticParams,
    query: SemanticQuery,
    response: SemanticResults,
    errors: [404, 502, 503],
  },
  {
    method: 'post',
    path: '/rag/ingest',
    summary: "Chunk, embed and store documents in a RAGPipeline's collection",
    tag: 'RAG',
    body: RagIngestRequest,
    response: RagIngestAnswer,
    // 404: no pipeline serves the collection; 409: its vectors have another length; 502: embeddings failed.
    errors: [404, 409, 499, 502, 503],
  },
  {
    method: 'post',
    path: '/rag/query',
    summary: "The chunks of a RAGPipeline's collection most similar to a query",
    tag: 'RAG',
    body: RagQueryRequest,
    response: RagResults,
    errors: [404, 409, 499, 502, 503],
  },
  {
    method: 'get',
    path: '/rag/pipelines',
    summary: 'The RAGPipeline files, the collection each serves, and why a file is refused',
    tag: 'RAG',
    response: RagPipelineList,
  },
  { method: 'get', path: '/tools', summary: 'The tools of every agent', tag: 'Tools', response: ToolList },
  {
    method: 'get',
    path: '/tools/builtin',
    summary: 'The built-in tools and their input schemas',
    tag: 'Tools',
    response: BuiltinToolList,
  },
  {
    method: 'post',
    path: '/tools/execute',
    summary: 'Run a built-in tool outside any agent, with its default config (SSRF guard on)',
    tag: 'Tools',
    body: ExecuteToolRequest,
    response: ToolAnswer,
    // A tool judges its input past its schema (400), refuses a target (403), lacks config (422),
    // is rate limited (429), fails (502) or times out (504).
    errors: [403, 422, 429, 499, 502, 504],
  },
  {
    method: 'get',
    path: '/traces',
    summary: 'The kept traces, newest first',
    tag: 'Observability',
    query: TraceQuery,
    response: TraceList,
  },
  {
    method: 'get',
    path: '/traces/{id}',
    summary: 'One trace with its spans',
    tag: 'Observability',
    params: TraceParams,
    response: Trace,
    errors: [404],
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Counters and histograms',
    tag: 'Observability',
    response: MetricsSnapshot,
  },
  {
    method: 'post',
    path: '/metrics/reset',
    summary: 'Clear the counters and histograms',
    tag: 'Observability',
    response: MetricsReset,
  },
  {
    method: 'post',
    path: '/system/reload',
    summary: 'Re-read the agent files and credentials now; answers when they are live',
    tag: 'System',
    response: ReloadAnswer,
  },
  {
    method: 'get',
    path: '/system/status',
    summary: 'Version, uptime, agents and providers',
    tag: 'System',
    response: SystemStatus,
  },
];
