import { TelemetryConfigError, telemetrySettingsFromEnv } from './settings';

describe('telemetrySettingsFromEnv', () => {
  it('is off by default', () => {
    expect(telemetrySettingsFromEnv({}).exporters).toEqual([]);
  });

  it('turns the OTLP exporter on for either endpoint variable', () => {
    expect(
      telemetrySettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).exporters,
    ).toEqual(['otlp']);
    expect(
      telemetrySettingsFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })
        .exporters,
    ).toEqual(['otlp']);
  });

  it('follows OTEL_TRACES_EXPORTER, where none wins', () => {
    expect(telemetrySettingsFromEnv({ OTEL_TRACES_EXPORTER: 'console' }).exporters).toEqual(['console']);
    expect(telemetrySettingsFromEnv({ OTEL_TRACES_EXPORTER: 'otlp, console' }).exporters).toEqual([
      'otlp',
      'console',
    ]);
    expect(
      telemetrySettingsFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })
        .exporters,
    ).toEqual([]);
    expect(() => telemetrySettingsFromEnv({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(TelemetryConfigError);
  });

  it('honours OTEL_SDK_DISABLED=true over everything', () => {
    expect(
      telemetrySettingsFromEnv({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })
        .exporters,
    ).toEqual([]);
  });

  it('refuses an OTLP protocol the exporter does not speak', () => {
    expect(() =>
      telemetrySettingsFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }),
    ).toThrow(/not supported/);
    expect(
      telemetrySettingsFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      }).exporters,
    ).toEqual(['otlp']);
  });
});
