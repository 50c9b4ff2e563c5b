import { Writable } from 'node:stream';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import pino from 'pino';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { contextFromHeaders, traceHeaders } from './kafka-headers';
import { traceLogFields } from './log-fields';
import { contextOfTraceparent, inSpan, linksTo, startSpan, traceparentOf, withActiveSpan } from './spans';
import { isTelemetryEnabled, startTelemetry, type Telemetry } from './telemetry';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

describe('telemetry off (the default)', () => {
  it('starts nothing without OTEL_* configuration, and every helper is a no-op', async () => {
    const telemetry = await startTelemetry({ serviceName: 'test', env: {} });
    expect(telemetry.enabled).toBe(false);
    expect(isTelemetryEnabled()).toBe(false);
    await inSpan('poll', {}, async (span) => {
      expect(span.isRecording()).toBe(false);
      expect(traceHeaders({ cloudEvents: true })).toEqual({});
      expect(traceLogFields()).toEqual({});
      expect(traceparentOf(span)).toBeNull();
    });
    await telemetry.shutdown();
  });
});

describe('telemetry on', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;

  beforeAll(async () => {
    telemetry = await startTelemetry({ serviceName: 'test-service', env: {}, spanExporter: exporter });
  });
  afterAll(async () => {
    await telemetry.shutdown();
  });
  beforeEach(() => exporter.reset());

  it('round-trips a context through Kafka headers, CloudEvents names included', async () => {
    const span = startSpan('publish');
    const headers = traceHeaders({ cloudEvents: true }, trace.setSpan(ROOT_CONTEXT, span));
    span.end();
    const [, traceId, spanId] = TRACEPARENT.exec(headers.traceparent ?? '') ?? [];
    expect(traceId).toBe(span.spanContext().traceId);
    expect(spanId).toBe(span.spanContext().spanId);
    expect(headers.ce_traceparent).toBe(headers.traceparent);

    const extracted = trace.getSpanContext(contextFromHeaders(headers));
    expect(extracted).toMatchObject({ traceId, spanId, isRemote: true });
    // A direct CloudEvents producer may set only the extension attribute.
    const fromCe = trace.getSpanContext(contextFromHeaders({ ce_traceparent: headers.traceparent }));
    expect(fromCe?.traceId).toBe(traceId);
    expect(trace.getSpanContext(contextFromHeaders({}))).toBeUndefined();
  });

  it('continues a stored traceparent and links to it', async () => {
    const poll = startSpan('poll', { parent: ROOT_CONTEXT });
    const stored = traceparentOf(poll);
    poll.end();
    expect(stored).toMatch(TRACEPARENT);
    const parent = contextOfTraceparent(stored);
    const child = startSpan('deliver', { parent, links: linksTo(parent) });
    child.end();
    const [, childSpan] = exporter.getFinishedSpans();
    expect(childSpan?.spanContext().traceId).toBe(poll.spanContext().traceId);
    expect(childSpan?.parentSpanContext?.spanId).toBe(poll.spanContext().spanId);
    expect(childSpan?.links[0]?.context.spanId).toBe(poll.spanContext().spanId);
    expect(linksTo(ROOT_CONTEXT)).toEqual([]);
  });

  it('makes the active span the parent, puts its ids into log fields, records failures', async () => {
    await expect(
      inSpan('outer', {}, async (outer) => {
        expect(traceLogFields()).toEqual({
          trace_id: outer.spanContext().traceId,
          span_id: outer.spanContext().spanId,
        });
        const inner = startSpan('inner');
        withActiveSpan(inner, () => expect(traceLogFields().span_id).toBe(inner.spanContext().spanId));
        inner.end();
        throw new Error('provider down');
      }),
    ).rejects.toThrow('provider down');
    const spans = exporter.getFinishedSpans();
    const outer = spans.find((span) => span.name === 'outer');
    const inner = spans.find((span) => span.name === 'inner');
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(outer?.status.code).toBe(2); // ERROR
    expect(outer?.events[0]?.name).toBe('exception');
    expect(outer?.resource.attributes['service.name']).toBe('test-service');
    expect(context.active()).toBe(ROOT_CONTEXT);
  });

  it('adds trace_id to pino lines inside a span only, without leaking fields between lines', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ mixin: traceLogFields }, sink);
    logger.info({ organizationId: 'o1' }, 'outside');
    await inSpan('logged', {}, async (span) => {
      logger.info('inside');
      expect(span.isRecording()).toBe(true);
    });
    logger.info('outside again');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => [line.msg, line.trace_id !== undefined, line.organizationId])).toEqual([
      ['outside', false, 'o1'],
      ['inside', true, undefined],
      ['outside again', false, undefined],
    ]);
  });
});
