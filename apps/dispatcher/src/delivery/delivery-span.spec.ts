import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startSpan, startTelemetry, traceparentOf, type Telemetry } from '@pollcast/telemetry';
import { deliverySpan } from './delivery-span';

describe('deliverySpan', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  beforeAll(async () => {
    telemetry = await startTelemetry({ serviceName: 'dispatcher', env: {}, spanExporter: exporter });
  });
  afterAll(() => telemetry.shutdown());

  it('continues the stored trace on the first attempt and links to it from a retry', () => {
    const recorded = startSpan('record event');
    recorded.end();
    const notification = { id: 'n-1', instanceId: 'i-1', traceparent: traceparentOf(recorded) };

    startSpan('deliver notification', deliverySpan({ ...notification, attempts: 0 })).end();
    startSpan('deliver notification', deliverySpan({ ...notification, attempts: 3 })).end();
    const [, first, retry] = exporter.getFinishedSpans();
    const stored = recorded.spanContext();
    expect(first?.spanContext().traceId).toBe(stored.traceId);
    expect(first?.parentSpanContext?.spanId).toBe(stored.spanId);
    expect(retry?.spanContext().traceId).not.toBe(stored.traceId);
    expect(retry?.parentSpanContext).toBeUndefined();
    expect(retry?.links.map((link) => link.context.spanId)).toEqual([stored.spanId]);
    expect(retry?.attributes['pollcast.attempt']).toBe(4);
  });

  it('starts a new trace when the notification has no stored context (tracing was off, a redelivery)', () => {
    exporter.reset();
    startSpan(
      'deliver notification',
      deliverySpan({ id: 'n', instanceId: 'i', attempts: 0, traceparent: null }),
    ).end();
    expect(exporter.getFinishedSpans()[0]?.parentSpanContext).toBeUndefined();
  });
});
