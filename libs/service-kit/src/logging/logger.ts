import pino, { type Logger } from 'pino';
import { traceLogFields } from '@pollcast/telemetry';

/** Paths pino removes from every log line: credentials in any shape we handle. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-pollcast-service-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.signatureKey',
  '*["oauth.api.secret"]',
  '*["event.notification.signature.key"]',
  'configuration["oauth.api.secret"]',
  'configuration["event.notification.signature.key"]',
];

/** The correlation id (a poll id) every service logs under this key. */
export const CORRELATION_LOG_KEY = 'correlationId';

export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '********' },
    formatters: { level: (label) => ({ level: label }) },
    // trace_id / span_id of the active span (nothing when tracing is off): logs join traces on them.
    mixin: traceLogFields,
  });
}

/** What pino-http's standard request serializer hands on (the fields this log keeps). */
interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  remoteAddress?: string;
  headers?: Record<string, unknown>;
}

/**
 * The request as every HTTP log line shows it: id, method, URL, peer and user agent — no other header
 * and no parsed query (both repeat what the URL says or carry credentials). pino-http serializes this
 * for every request, logged or not, and redacting a whole header set was ~55 µs of a ~470 µs GET
 * (BENCHMARKS, instance-service): a short, fixed shape costs little and has nothing to redact.
 */
export function requestLogFields(request: SerializedRequest): Record<string, unknown> {
  const userAgent = request.headers?.['user-agent'];
  return {
    id: request.id,
    method: request.method,
    url: request.url,
    remoteAddress: request.remoteAddress,
    ...(typeof userAgent === 'string' ? { userAgent: userAgent.slice(0, 200) } : {}),
  };
}
