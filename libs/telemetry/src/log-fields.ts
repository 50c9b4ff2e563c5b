import { trace } from '@opentelemetry/api';

export interface TraceLogFields {
  trace_id?: string;
  span_id?: string;
}

const NONE: TraceLogFields = Object.freeze({});

/** pino `mixin`: the active span's ids on every log line, so logs and traces join on `trace_id`. */
export function traceLogFields(): TraceLogFields {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return NONE;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
