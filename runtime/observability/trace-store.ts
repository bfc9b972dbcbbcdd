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
  // Spans are kept as the SDK ended them and turned into views only when read: runs outnumber
  // reads of /v1/traces by far, so conversion stays off the hot path.
  const traces = new Map<string, ReadableSpan[]>();

  function view(traceId: string, spans: ReadableSpan[]): TraceView {
    const trace: TraceView = { trace_id: traceId, agent: null, session_id: null, spans: spans.map(toSpanView) };
    for (const span of spans) {
      if (typeof span.attributes.agent === 'string') trace.agent = span.attributes.agent;
      if (typeof span.attributes.session_id === 'string') trace.session_id = span.attributes.session_id;
    }
    trace.spans.sort((a, b) => a.start_time.localeCompare(b.start_time));
    return trace;
  }

  return {
    add(span: ReadableSpan): void {
      const traceId = span.spanContext().traceId;
      const spans = traces.get(traceId);
      if (spans) {
        spans.push(span);
        return;
      }
      traces.set(traceId, [span]);
      if (traces.size > maxTraces) traces.delete(traces.keys().next().value as string);
    },
    get(traceId: string): TraceView | undefined {
      const spans = traces.get(traceId);
      return spans ? view(traceId, spans) : undefined;
    },
    /** Newest first. */
    list(filter: { agent?: string; limit: number }): TraceView[] {
      const found: TraceView[] = [];
      for (const [traceId, spans] of [...traces].reverse()) {
        if (filter.agent && !spans.some((span) => span.attributes.agent === filter.agent)) continue;
        found.push(view(traceId, spans));
        if (found.length === filter.limit) break;
      }
      return found;
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
