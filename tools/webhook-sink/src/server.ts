// The webhook sink's HTTP server. Slightly over ~400 lines because createWebhookSink is one closure over
// the sink's state (kept requests, keys, fault plan) that its callback and control routes share; the
// pure parts (faults, signatures, the HTML page) are modules of their own.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';
import { type ActiveFault, FaultPlan, type FaultSpec, faultSpecSchema } from './faults';
import { renderRequestsPage } from './html';
import { type SignatureChecks, checkSignatures } from './signatures';

export interface WebhookSinkOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Key used to verify requests on every path that has no key of its own. */
  signatureKey?: string;
  /** How many requests are kept (oldest dropped first). Default 50000. */
  capacity?: number;
  /** Called once per recorded request (e.g. the CLI logs a line). */
  onRequest?(request: ReceivedRequest): void;
}

/** One request the sink received on a callback path. */
export interface ReceivedRequest {
  readonly seq: number;
  /** ISO-8601 UTC. */
  readonly receivedAt: string;
  readonly receivedAtMs: number;
  readonly method: string;
  readonly path: string;
  /** The query string without `?`, '' when none. */
  readonly query: string;
  /** Lower-case names; repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as UTF-8 text, exactly as received. */
  readonly body: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly json: unknown;
  readonly signatures: SignatureChecks;
  readonly response: { status: number; dropped: boolean; delayMs: number };
}

export interface RequestFilter {
  /** Exact path. */
  path?: string;
  pathPrefix?: string;
  webhookId?: string;
  /** Only requests with a sequence number greater than this. */
  sinceSeq?: number;
  /** Only requests whose signatures are all in this state ('valid' = every known scheme valid). */
  signature?: 'valid' | 'invalid';
  /** Only requests the sink answered 2xx (what the sender counts as delivered). */
  accepted?: boolean;
  limit?: number;
}

export interface WebhookSink {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:8092 */
  readonly url: string;
  readonly port: number;
  received(filter?: RequestFilter): ReceivedRequest[];
  /** Number of requests recorded since start or the last clear (including ones beyond capacity). */
  count(): number;
  clear(): void;
  /** Verifies requests whose path starts with `pathPrefix` (longest prefix wins) with this key. */
  setSignatureKey(key: string, pathPrefix?: string): void;
  removeSignatureKey(pathPrefix?: string): void;
  /** Adds a fault for the next `count` requests and/or `durationMs`. */
  fail(spec: FaultSpec): ActiveFault;
  faults(): ActiveFault[];
  clearFaults(): void;
  /** Resolves once `count` requests matching the filter have been recorded. */
  waitForRequests(count: number, filter?: RequestFilter, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const CONTROL_PREFIX = '/_sink';

const requestsQuerySchema = z.object({
  path: z.string().optional(),
  pathPrefix: z.string().optional(),
  webhookId: z.string().optional(),
  since: z.coerce.number().int().min(0).optional(),
  signature: z.enum(['valid', 'invalid']).optional(),
  accepted: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(50_000).optional(),
  view: z.enum(['full', 'summary']).optional(),
});
const keyBodySchema = z.object({
  key: z.string().min(1),
  pathPrefix: z.string().startsWith('/').default('/'),
});

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ControlError(413, 'body larger than 10 MiB'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A request without its body, headers and signatures: what a caller that only counts needs. */
export interface RequestSummary {
  readonly seq: number;
  readonly receivedAtMs: number;
  readonly path: string;
  readonly response: { status: number; dropped: boolean };
  /** The number of events of a Pollcast / Open Connectors notification (`message.events`), else null. */
  readonly events: number | null;
}

function summaryOf(request: ReceivedRequest): RequestSummary {
  const message = (request.json as { message?: { events?: unknown } } | undefined)?.message;
  return {
    seq: request.seq,
    receivedAtMs: request.receivedAtMs,
    path: request.path,
    response: { status: request.response.status, dropped: request.response.dropped },
    events: Array.isArray(message?.events) ? message.events.length : null,
  };
}

function matches(request: ReceivedRequest, filter: RequestFilter): boolean {
  if (filter.sinceSeq !== undefined && request.seq <= filter.sinceSeq) return false;
  if (filter.path !== undefined && request.path !== filter.path) return false;
  if (filter.pathPrefix !== undefined && !request.path.startsWith(filter.pathPrefix)) return false;
  if (filter.webhookId !== undefined && request.headers['webhook-id'] !== filter.webhookId) return false;
  if (filter.accepted !== undefined) {
    const accepted =
      !request.response.dropped && request.response.status >= 200 && request.response.status < 300;
    if (accepted !== filter.accepted) return false;
  }
  if (filter.signature !== undefined) {
    const checks = [request.signatures.elements, request.signatures.standard].filter(
      (check) => check !== 'no-key',
    );
    const valid = checks.length > 0 && checks.every((check) => check === 'valid');
    if ((filter.signature === 'valid') !== valid) return false;
  }
  return true;
}

/** Starts the sink: records every callback, verifies signatures, fails on demand, shows what it got. */
export async function createWebhookSink(options: WebhookSinkOptions = {}): Promise<WebhookSink> {
  const capacity = options.capacity ?? 50_000;
  let requests: ReceivedRequest[] = [];
  let seq = 0;
  let recordedSinceClear = 0;
  const keys = new Map<string, string>();
  if (options.signatureKey !== undefined) keys.set('/', options.signatureKey);
  const faultPlan = new FaultPlan();
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const keyFor = (path: string): string | undefined => {
    let best: { prefix: string; key: string } | undefined;
    for (const [prefix, key] of keys) {
      if (path.startsWith(prefix) && (best === undefined || prefix.length > best.prefix.length))
        best = { prefix, key };
    }
    return best?.key;
  };

  const received = (filter: RequestFilter = {}): ReceivedRequest[] => {
    const found = requests.filter((request) => matches(request, filter));
    return filter.limit === undefined ? found : found.slice(0, filter.limit);
  };

  const record = (entry: ReceivedRequest): void => {
    requests.push(entry);
    recordedSinceClear += 1;
    if (requests.length > capacity * 1.1) requests = requests.slice(-capacity);
    options.onRequest?.(entry);
    for (const wake of [...waiters]) wake();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const send = (
    response: ServerResponse,
    status: number,
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
  ) => {
    if (response.destroyed) return;
    response.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    response.end(body);
  };
  const sendJson = (response: ServerResponse, status: number, body: unknown) =>
    send(response, status, JSON.stringify(body), 'application/json; charset=utf-8');

  async function handleCallback(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: string,
  ) {
    const receivedAtMs = Date.now();
    const body = await readBody(request);
    const headers = headersOf(request);
    const fault = faultPlan.take(path);
    const delayMs = fault?.delayMs ?? 0;
    const dropped = fault?.drop === true;
    const status = dropped ? 0 : (fault?.status ?? 200);
    seq += 1;
    record({
      seq,
      receivedAt: new Date(receivedAtMs).toISOString(),
      receivedAtMs,
      method: request.method ?? 'GET',
      path,
      query,
      headers,
      body: body.toString('utf8'),
      json: parseJson(body),
      signatures: checkSignatures(keyFor(path), headers, body),
      response: { status, dropped, delayMs },
    });
    if (delayMs > 0) await sleep(delayMs);
    if (dropped) {
      request.socket.destroy();
      return;
    }
    if (fault) {
      send(response, status, fault.body ?? '{"fault":true}', 'application/json', fault.headers ?? {});
    } else {
      sendJson(response, 200, { received: true, seq });
    }
  }

  async function handleControl(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    searchParams: URLSearchParams,
  ) {
    const method = request.method ?? 'GET';
    const route = `${method} ${path.slice(CONTROL_PREFIX.length) || '/'}`;
    const readJson = async (): Promise<unknown> => {
      const body = await readBody(request);
      const parsed = parseJson(body);
      if (parsed === undefined) throw new ControlError(400, 'the body must be JSON');
      return parsed;
    };
    switch (route) {
      case 'GET /requests': {
        const parsed = requestsQuerySchema.safeParse(Object.fromEntries(searchParams));
        if (!parsed.success) throw new ControlError(400, describeIssues(parsed.error));
        const { since, accepted, view, ...rest } = parsed.data;
        const found = received({
          ...rest,
          ...(since !== undefined ? { sinceSeq: since } : {}),
          ...(accepted !== undefined ? { accepted: accepted === 'true' } : {}),
        });
        // A summary leaves out bodies: a benchmark polling while it measures must not serialise them.
        const listed = view === 'summary' ? found.map(summaryOf) : found;
        return sendJson(response, 200, { total: recordedSinceClear, count: found.length, requests: listed });
      }
      case 'DELETE /requests':
        sink.clear();
        return send(response, 204, '', 'text/plain');
      case 'GET /keys':
        // Paths only: the sink is a test tool, but keys still do not leave it.
        return sendJson(response, 200, { pathPrefixes: [...keys.keys()] });
      case 'PUT /keys': {
        const parsed = keyBodySchema.safeParse(await readJson());
        if (!parsed.success) throw new ControlError(400, describeIssues(parsed.error));
        sink.setSignatureKey(parsed.data.key, parsed.data.pathPrefix);
        return send(response, 204, '', 'text/plain');
      }
      case 'DELETE /keys':
        sink.removeSignatureKey(searchParams.get('pathPrefix') ?? '/');
        return send(response, 204, '', 'text/plain');
      case 'GET /faults':
        return sendJson(response, 200, { faults: faultPlan.list() });
      case 'POST /faults': {
        const parsed = faultSpecSchema.safeParse(await readJson());
        if (!parsed.success) throw new ControlError(400, describeIssues(parsed.error));
        return sendJson(response, 201, faultPlan.add(parsed.data));
      }
      case 'DELETE /faults':
        faultPlan.clear();
        return send(response, 204, '', 'text/plain');
      default:
        throw new ControlError(404, `no control route ${route}`);
    }
  }

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sink');
    const path = url.pathname;
    const handle = async () => {
      if (path === '/health/live' || path === '/health/ready')
        return sendJson(response, 200, { status: 'ok' });
      if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
        return handleControl(request, response, path, url.searchParams);
      }
      if (path === '/' && request.method === 'GET') {
        return send(
          response,
          200,
          renderRequestsPage(requests.slice(-200), recordedSinceClear),
          'text/html; charset=utf-8',
        );
      }
      return handleCallback(request, response, path, url.search.slice(1));
    };
    handle().catch((error: unknown) => {
      const status = error instanceof ControlError ? error.status : 500;
      sendJson(response, status, { message: error instanceof Error ? error.message : String(error) });
    });
  });
  // Keep-alive like a real receiver, so senders can pool connections.
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host === undefined || options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const sink: WebhookSink = {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    received,
    count: () => recordedSinceClear,
    clear: () => {
      requests = [];
      recordedSinceClear = 0;
    },
    setSignatureKey: (key, pathPrefix = '/') => void keys.set(pathPrefix, key),
    removeSignatureKey: (pathPrefix = '/') => void keys.delete(pathPrefix),
    fail: (spec) => faultPlan.add(faultSpecSchema.parse(spec)),
    faults: () => faultPlan.list(),
    clearFaults: () => faultPlan.clear(),
    waitForRequests: (count, filter = {}, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = received({ ...filter, limit: undefined });
          if (found.length < count) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`webhook sink: ${received(filter).length} of ${count} requests after ${timeoutMs} ms`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sink;
}
