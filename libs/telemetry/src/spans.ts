import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';

export { ROOT_CONTEXT, SpanKind };
export type { Attributes, Context, Span };

/** The instrumentation scope of every span Pollcast makes. */
export const TRACER_NAME = 'pollcast';

export interface SpanSpec {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** The parent; the active context when left out. `ROOT_CONTEXT` starts a new trace. */
  parent?: Context;
}

/** A span that the caller ends (`endSpan`); with tracing off, a free no-op span. */
export function startSpan(name: string, spec: SpanSpec = {}): Span {
  return trace
    .getTracer(TRACER_NAME)
    .startSpan(
      name,
      { kind: spec.kind, attributes: spec.attributes, links: spec.links },
      spec.parent ?? context.active(),
    );
}

/** Marks the span failed (a poll that failed, a callback that timed out) without an exception. */
export function markSpanFailed(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Ends the span; an error marks it failed and is recorded as its exception event. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const message = messageOf(error);
    span.recordException(error instanceof Error ? error : message);
    markSpanFailed(span, message);
  }
  span.end();
}

/** A context whose parent is `span`, e.g. for the headers of one message of a batch. */
export function contextOf(span: Span): Context {
  return trace.setSpan(ROOT_CONTEXT, span);
}

/** Runs `work` with `span` as the active span (log lines and child spans see it). */
export function withActiveSpan<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work);
}

/** Runs `work` in a new active span, ended with the outcome (a throw marks it failed and is rethrown). */
export async function inSpan<T>(name: string, spec: SpanSpec, work: (span: Span) => Promise<T>): Promise<T> {
  const span = startSpan(name, spec);
  try {
    const result = await context.with(trace.setSpan(spec.parent ?? context.active(), span), () => work(span));
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

/** A link to the span of `parent`, or none when it carries no (valid) span context. */
export function linksTo(parent: Context): Link[] {
  const spanContext = trace.getSpanContext(parent);
  return spanContext && trace.isSpanContextValid(spanContext) ? [{ context: spanContext }] : [];
}

/** The W3C `traceparent` of a span, to keep it where no header can go (a database row); null when off. */
export function traceparentOf(span: Span): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier.traceparent ?? null;
}

/** The context a stored `traceparent` names (ROOT_CONTEXT when there is none). */
export function contextOfTraceparent(traceparent: string | null | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

export interface HttpClientRequest {
  /** The span name, e.g. `POST callback`: low cardinality, no ids. */
  name: string;
  method: string;
  url: URL;
}

/**
 * An outgoing HTTP call as a CLIENT span; `work` receives the `traceparent` (and `tracestate`) headers
 * of that span to send. Only the host and port are recorded: tenants' paths and queries may hold secrets.
 * `outcomeOf` tells the answer's status code, or why there was none (a timeout: the span fails).
 */
export async function inHttpClientSpan<T>(
  request: HttpClientRequest,
  work: (traceHeaders: Record<string, string>) => Promise<T>,
  outcomeOf: (result: T) => number | string | undefined = () => undefined,
): Promise<T> {
  return inSpan(
    request.name,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: request.method,
        [ATTR_SERVER_ADDRESS]: request.url.hostname,
        [ATTR_SERVER_PORT]: Number(request.url.port || (request.url.protocol === 'https:' ? 443 : 80)),
      },
    },
    async (span) => {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      const result = await work(headers);
      const outcome = outcomeOf(result);
      if (typeof outcome === 'string') markSpanFailed(span, outcome);
      else if (outcome !== undefined) {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome);
        if (outcome >= 400) markSpanFailed(span, `HTTP ${outcome}`);
      }
      return result;
    },
  );
}
