import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** One span as an OTLP/HTTP JSON export carries it, with the service that sent it. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  links: { traceId: string; spanId: string }[];
  attributes: Record<string, unknown>;
}

export interface OtlpReceiver {
  /** What `OTEL_EXPORTER_OTLP_ENDPOINT` should be (the exporter appends `/v1/traces`). */
  endpoint: string;
  spans: ReceivedSpan[];
  /** Export requests answered, bodies not decoded when `keep` is false. */
  requests: number;
  stop(): Promise<void>;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        links?: { traceId: string; spanId: string }[];
        attributes?: OtlpKeyValue[];
      }[];
    }[];
  }[];
}

/** OTLP/JSON ids are hex; some encoders send base64 (protobuf's JSON mapping). Either becomes hex. */
function hexId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  return /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/i.test(id)
    ? id.toLowerCase()
    : Buffer.from(id, 'base64').toString('hex');
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    attributes[key] = value?.stringValue ?? value?.intValue ?? value?.boolValue ?? value?.doubleValue;
  }
  return attributes;
}

/**
 * An in-process OTLP/HTTP receiver for `application/json` trace exports (the exporter the services use).
 * `keep: false` answers without decoding: a null receiver for benchmarks.
 */
export async function startOtlpReceiver(options: { keep?: boolean } = {}): Promise<OtlpReceiver> {
  const keep = options.keep ?? true;
  const spans: ReceivedSpan[] = [];
  const receiver: { requests: number } = { requests: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.requests += 1;
      if (keep && request.url === '/v1/traces') {
        let body = Buffer.concat(chunks);
        if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const exported = JSON.parse(body.toString('utf8')) as OtlpExport;
        for (const resourceSpans of exported.resourceSpans ?? []) {
          const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: hexId(span.traceId) ?? '',
                spanId: hexId(span.spanId) ?? '',
                parentSpanId: hexId(span.parentSpanId),
                name: span.name,
                kind: span.kind,
                links: (span.links ?? []).map((link) => ({
                  traceId: hexId(link.traceId) ?? '',
                  spanId: hexId(link.spanId) ?? '',
                })),
                attributes: attributesOf(span.attributes),
              });
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    get requests() {
      return receiver.requests;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
