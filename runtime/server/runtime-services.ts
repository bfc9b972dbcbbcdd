import type { CatalogEntry } from '../config/agent-catalog.ts';
import type { AgentEngine } from '../engine/create-agent-engine.ts';
import type { MetricsRegistry } from '../observability/metrics-registry.ts';
import type { TraceStore } from '../observability/trace-store.ts';
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
  /** Re-reads the agents directory and the credentials now, instead of waiting for file events. */
  reload: () => Promise<void>;
  version: string;
  startedAtMs: number;
  now: () => number;
}
