import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { telemetrySettingsFromEnv, type TelemetrySettings } from './settings';

/** Where the SDK's own complaints (an unreachable collector, a refused export) go: the service's logger. */
export interface TelemetryLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface StartTelemetryOptions {
  /** The default `service.name`; `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES` override it. */
  serviceName: string;
  logger?: TelemetryLogger;
  /** Tests: export here (synchronously, no batching) instead of what the environment asks for. */
  spanExporter?: SpanExporter;
  /** Defaults to `process.env`; the SDK reads its other `OTEL_*` settings (sampler, batching,
   * endpoint, headers, timeout) from `process.env` itself. */
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  readonly enabled: boolean;
  readonly settings: TelemetrySettings;
  /** Exports what is still buffered and stops; resolves even when the collector is down. */
  shutdown(): Promise<void>;
}

/** How long shutdown waits for the last spans to be exported. */
const FLUSH_LIMIT_MS = 5000;

let running: { telemetry: Telemetry; serviceName: string } | undefined;
let enabled = false;

/** True once `startTelemetry` registered an SDK in this process. */
export function isTelemetryEnabled(): boolean {
  return enabled;
}

/**
 * Starts tracing when the standard `OTEL_*` variables ask for it, once per process (a second call, as
 * when tests start several services in one process, gets the first one). When they do not, nothing but
 * `@opentelemetry/api` is loaded: every span helper then works on the API's no-op tracer.
 */
export async function startTelemetry(options: StartTelemetryOptions): Promise<Telemetry> {
  if (running) return running.telemetry;
  const settings = telemetrySettingsFromEnv(options.env ?? process.env);
  if (settings.exporters.length === 0 && !options.spanExporter) {
    return { enabled: false, settings, shutdown: async () => undefined };
  }
  // Loaded only now, so a service without tracing never loads the SDK.
  const [{ NodeTracerProvider }, sdk, { W3CTraceContextPropagator }, resources, { ATTR_SERVICE_NAME }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ]);
  if (options.logger) {
    const logger = options.logger;
    diag.setLogger(
      {
        error: (message) => logger.error(`opentelemetry: ${message}`),
        warn: (message) => logger.warn(`opentelemetry: ${message}`),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      DiagLogLevel.WARN,
    );
  }
  const spanProcessors = [];
  if (options.spanExporter) {
    spanProcessors.push(new sdk.SimpleSpanProcessor(options.spanExporter));
  } else {
    for (const name of settings.exporters) {
      if (name === 'console') {
        spanProcessors.push(new sdk.BatchSpanProcessor(new sdk.ConsoleSpanExporter()));
      } else {
        const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
        spanProcessors.push(new sdk.BatchSpanProcessor(new OTLPTraceExporter()));
      }
    }
  }
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  // The sampler comes from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default: parent-based always-on).
  const provider = new NodeTracerProvider({ resource, spanProcessors });
  // W3C trace context only: `traceparent` is what every hop (Kafka headers, callbacks) promises.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  enabled = true;
  const telemetry: Telemetry = {
    enabled: true,
    settings,
    shutdown: async () => {
      if (running?.telemetry !== telemetry) return;
      running = undefined;
      enabled = false;
      try {
        // Bounded: a collector that does not answer must not hold the service's shutdown past its limit.
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${FLUSH_LIMIT_MS} ms`)),
            FLUSH_LIMIT_MS,
          );
          timer.unref();
        });
        await Promise.race([provider.shutdown(), limit]).finally(() => clearTimeout(timer));
      } catch (error) {
        options.logger?.warn(
          `opentelemetry: flushing spans at shutdown failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
        diag.disable();
      }
    },
  };
  running = { telemetry, serviceName: options.serviceName };
  return telemetry;
}
