import { type Attributes, ROOT_CONTEXT, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createTraceStore, type TraceStore } from './trace-store.ts';

/** Keeps every ended span in the in-memory trace store. */
function traceStoreProcessor(store: TraceStore): SpanProcessor {
  return {
    onStart: () => {},
    onEnd: (span: ReadableSpan) => store.add(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

/**
 * OpenTelemetry tracing for the runtime: W3C trace ids, spans kept in a bounded in-memory store
 * for /v1/traces, and, when `otlpEndpoint` is set, exported over OTLP/HTTP (JSON) as well. The
 * exporter (with the OTLP transformer and metrics SDK it pulls in) loads only then: most runtimes
 * export nothing, and each org's runtime pays for every module it loads (issue 13).
 */
export async function createTracing(options: {
  serviceName: string;
  otlpEndpoint?: string;
  /** How long spans wait to be exported in a batch (the SDK's default, 5 s, unless set). */
  otlpExportDelayMs?: number;
  maxTraces?: number;
}) {
  const store = createTraceStore({ maxTraces: options.maxTraces });
  const spanProcessors: SpanProcessor[] = [traceStoreProcessor(store)];
  if (options.otlpEndpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    spanProcessors.push(
      new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint }), {
        scheduledDelayMillis: options.otlpExportDelayMs,
      }),
    );
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors,
  });
  return {
    tracer: provider.getTracer('astromeshd'),
    store,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
export type Tracing = Awaited<ReturnType<typeof createTracing>>;

/**
 * One run's trace. Spans are parented explicitly on the run's root span (no global context
 * manager), so concurrent runs never mix their spans.
 */
export function startRunTrace(tracer: Tracer, name: string, attributes: Attributes) {
  const root = tracer.startSpan(name, { attributes });
  const parentContext = trace.setSpan(ROOT_CONTEXT, root);

  async function span<T>(spanName: string, spanAttributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
    const child = tracer.startSpan(spanName, { attributes: spanAttributes }, parentContext);
    try {
      const result = await work(child);
      child.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (err) {
      child.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      child.end();
    }
  }

  return {
    traceId: root.spanContext().traceId,
    root,
    span,
    end(error?: unknown): void {
      root.setStatus(
        error === undefined
          ? { code: SpanStatusCode.OK }
          : { code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) },
      );
      root.end();
    },
  };
}
export type RunTrace = ReturnType<typeof startRunTrace>;
