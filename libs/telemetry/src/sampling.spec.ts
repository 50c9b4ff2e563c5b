import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startSpan } from './spans';
import { startTelemetry } from './telemetry';

// The sampler is the SDK's, read from process.env (OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG).
describe('sampling from the environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it.each([
    ['always_off', undefined, 0],
    ['traceidratio', '0', 0],
    ['traceidratio', '1', 10],
    ['parentbased_always_on', undefined, 10],
  ])('%s (arg %s) keeps %d of 10 root spans', async (sampler, arg, kept) => {
    process.env.OTEL_TRACES_SAMPLER = sampler;
    if (arg === undefined) delete process.env.OTEL_TRACES_SAMPLER_ARG;
    else process.env.OTEL_TRACES_SAMPLER_ARG = arg;
    const exporter = new InMemorySpanExporter();
    const telemetry = await startTelemetry({ serviceName: 'sampled', env: {}, spanExporter: exporter });
    try {
      for (let i = 0; i < 10; i += 1) startSpan(`root ${i}`).end();
      expect(exporter.getFinishedSpans()).toHaveLength(kept);
    } finally {
      await telemetry.shutdown();
    }
  });
});
