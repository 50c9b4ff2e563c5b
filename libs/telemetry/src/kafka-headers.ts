import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import { inSpan } from './spans';

/** Trace context in Kafka headers: W3C names for every consumer, and the CloudEvents distributed-tracing
 * extension's attributes in binary mode (`ce_` + name) on the CloudEvents topic for direct consumers. */
export const TRACE_HEADERS = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  ceTraceparent: 'ce_traceparent',
  ceTracestate: 'ce_tracestate',
} as const;

export interface TraceHeaderOptions {
  /** Also write `ce_traceparent` / `ce_tracestate` (the events topic speaks CloudEvents). */
  cloudEvents?: boolean;
}

/** The headers that carry `from` (the active context by default); `{}` when tracing is off. */
export function traceHeaders(
  options: TraceHeaderOptions = {},
  from: Context = context.active(),
): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(from, headers);
  if (options.cloudEvents && headers.traceparent !== undefined) {
    headers[TRACE_HEADERS.ceTraceparent] = headers.traceparent;
    if (headers.tracestate !== undefined) headers[TRACE_HEADERS.ceTracestate] = headers.tracestate;
  }
  return headers;
}

/** The context a consumed message carries: `traceparent`, else `ce_traceparent` (a CloudEvents producer
 * that only sets the extension). Starts from the root: one message's trace never leaks into another's. */
export function contextFromHeaders(
  headers: Readonly<Record<string, string | undefined>> | undefined,
): Context {
  if (!headers) return ROOT_CONTEXT;
  if (headers.traceparent !== undefined) return propagation.extract(ROOT_CONTEXT, headers);
  const traceparent = headers[TRACE_HEADERS.ceTraceparent];
  if (traceparent === undefined) return ROOT_CONTEXT;
  const tracestate = headers[TRACE_HEADERS.ceTracestate];
  return propagation.extract(ROOT_CONTEXT, {
    traceparent,
    ...(tracestate !== undefined ? { tracestate } : {}),
  });
}

/** Messaging attributes of a Kafka span (semantic conventions, spelled out: they are still incubating). */
export function kafkaSpanAttributes(
  topic: string,
  operation: 'send' | 'process',
  messageCount?: number,
): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.operation.type': operation,
    ...(messageCount === undefined ? {} : { 'messaging.batch.message_count': messageCount }),
  };
}

/** A PRODUCER span `publish <topic>` around `send`, whose context every message carries in its headers. */
export function publishWithTrace<M extends { headers?: Record<string, string> }>(
  topic: string,
  messages: ReadonlyArray<M>,
  send: (traced: ReadonlyArray<M>) => Promise<void>,
  options: TraceHeaderOptions = {},
): Promise<void> {
  return inSpan(
    `publish ${topic}`,
    { kind: SpanKind.PRODUCER, attributes: kafkaSpanAttributes(topic, 'send', messages.length) },
    () => {
      const headers = traceHeaders(options);
      if (headers.traceparent === undefined) return send(messages); // tracing off: the messages as they are
      return send(messages.map((message) => ({ ...message, headers: { ...message.headers, ...headers } })));
    },
  );
}
