/** Which exporters the standard `OTEL_*` variables ask for; `[]` means tracing is off. */
export type TraceExporterName = 'otlp' | 'console';

export interface TelemetrySettings {
  exporters: TraceExporterName[];
  /** Why tracing is off (or on), for the one log line at start. */
  reason: string;
}

/** OTLP/HTTP with JSON bodies is what `@opentelemetry/exporter-trace-otlp-http` speaks. */
export const SUPPORTED_OTLP_PROTOCOL = 'http/json';

export class TelemetryConfigError extends Error {}

const KNOWN_EXPORTERS: ReadonlySet<string> = new Set(['otlp', 'console', 'none']);

function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/**
 * Off unless configured: `OTEL_SDK_DISABLED=true` wins; then `OTEL_TRACES_EXPORTER` (`otlp`,
 * `console`, `none`, comma-separated); without it, an OTLP endpoint variable turns the OTLP exporter
 * on. Anything else fails the boot with one readable line, as every other env mistake does.
 */
export function telemetrySettingsFromEnv(env: NodeJS.ProcessEnv): TelemetrySettings {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    return { exporters: [], reason: 'OTEL_SDK_DISABLED=true' };
  }
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (isSet(protocol) && protocol.trim() !== SUPPORTED_OTLP_PROTOCOL) {
    throw new TelemetryConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: Pollcast exports traces as OTLP/HTTP JSON (${SUPPORTED_OTLP_PROTOCOL})`,
    );
  }
  if (isSet(env.OTEL_TRACES_EXPORTER)) {
    const names = env.OTEL_TRACES_EXPORTER.split(',').map((name) => name.trim().toLowerCase());
    const unknown = names.filter((name) => !KNOWN_EXPORTERS.has(name));
    if (unknown.length > 0) {
      throw new TelemetryConfigError(
        `OTEL_TRACES_EXPORTER=${env.OTEL_TRACES_EXPORTER}: unknown exporter ${unknown.join(', ')} (otlp, console or none)`,
      );
    }
    if (names.includes('none')) return { exporters: [], reason: 'OTEL_TRACES_EXPORTER=none' };
    return {
      exporters: [...new Set(names)] as TraceExporterName[],
      reason: `OTEL_TRACES_EXPORTER=${env.OTEL_TRACES_EXPORTER}`,
    };
  }
  if (isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) {
    return { exporters: ['otlp'], reason: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set' };
  }
  if (isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT)) {
    return { exporters: ['otlp'], reason: 'OTEL_EXPORTER_OTLP_ENDPOINT is set' };
  }
  return { exporters: [], reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER' };
}
