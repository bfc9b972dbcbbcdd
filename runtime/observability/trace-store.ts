import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface SpanView {
  name: string;
  span_id: string;
  parent_span_id: string | null;
  status: 'UNSET' | 'OK' | 'ERROR';
  attributes: Record<string, unknown>;
  events: { name: string; time: string; attributes: Record<string, unknown> }[];
  start_time: string;
  end_time: string;
  duration_ms: number;
}

export interface TraceView {
  trace_id: string;
  agent: string | null;
  session_id: string | null;
  spans: SpanView[];
}

const statusNames = ['UNSET', 'OK', 'ERROR'] as const;

/**
 * The last `maxTraces` traces of this runtime, in memory, for GET /v1/traces. Spans arrive as
 * they end (children before their root); a trace's agent and session come from its spans.
 */
export function createTraceStore(options: { maxTraces?: number } = {}) {
  const maxTraces = options.maxTraces ?? 1_000;
  const traces = new Map<string, TraceView>();

  return {
    add(span: ReadableSpan): void {
      const traceId = span.spanContext().traceId;
      let trace = traces.get(traceId);
      if (!trace) {
        trace = { trace_id: traceId, agent: null, session_id: null, spans: [] };
        traces.set(traceId, trace);
        if (traces.size > maxTraces) traces.delete(traces.keys().next().value as string);
      }
      const attributes = { ...span.attributes };
      if (typeof attributes.agent === 'string') trace.agent = attributes.agent;
      if (typeof attributes.session_id === 'string') trace.session_id = attributes.session_id;
      trace.spans.push(toSpanView(span));
      trace.spans.sort((a, b) => a.start_time.localeCompare(b.start_time));
    },
    get(traceId: string): TraceView | undefined {
      return traces.get(traceId);
    },
    /** Newest first. */
    list(filter: { agent?: string; limit: number }): TraceView[] {
      const newestFirst = [...traces.values()].reverse();
      return newestFirst.filter((trace) => !filter.agent || trace.agent === filter.agent).slice(0, filter.limit);
    },
  };
}
export type TraceStore = ReturnType<typeof createTraceStore>;

function toSpanView(span: ReadableSpan): SpanView {
  return {
    name: span.name,
    span_id: span.spanContext().spanId,
    parent_span_id: span.parentSpanContext?.spanId ?? null,
    status: statusNames[span.status.code] ?? 'UNSET',
    attributes: { ...span.attributes },
    events: span.events.map((event) => ({
      name: event.name,
      time: hrTimeToIso(event.time),
      attributes: { ...(event.attributes ?? {}) },
    })),
    start_time: hrTimeToIso(span.startTime),
    end_time: hrTimeToIso(span.endTime),
    duration_ms: span.duration[0] * 1_000 + span.duration[1] / 1_000_000,
  };
}

function hrTimeToIso([seconds, nanos]: [number, number]): string {
  const iso = new Date(seconds * 1_000).toISOString().replace(/\.\d+Z$/, '');
  return `${iso}.${String(nanos).padStart(9, '0')}Z`;
}
