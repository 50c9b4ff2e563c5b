import { trace } from '@opentelemetry/api';

export interface TraceLogFields {
  trace_id?: string;
  span_id?: string;
}

/** pino `mixin`: the active span's ids on every log line, so logs and traces join on `trace_id`.
 * A fresh object every time: pino merges the line's own fields into what the mixin returns. */
export function traceLogFields(): TraceLogFields {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
