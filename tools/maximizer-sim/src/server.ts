import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { SimClock } from './clock';
import {
  clockAdvanceBodySchema,
  clockFreezeBodySchema,
  clockSetBodySchema,
  describeIssues,
  faultBodySchema,
  listQuerySchema,
  oauthClientBodySchema,
  oauthRevokeBodySchema,
  oauthTokenBodySchema,
  recordBodySchema,
  seedBodySchema,
} from './control-schemas';
import { DateRenderer } from './dates';
import { type EntityName, isEntityName } from './entities';
import { type Fault, type FaultKind, FAULT_KINDS, FaultInjector, PAGE_FAULT_KINDS } from './faults';
import { OAuthServer } from './oauth';
import { OctopusError, RecordNotFoundError } from './query';
import { type LoggedRequest, RequestLog } from './request-log';
import { RecordStore } from './store';

export interface MaximizerSimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** IANA zone dates are rendered in. Default America/Toronto. */
  zone?: string;
  /** The pre-registered OAuth client. Defaults pollcast-dev / pollcast-dev-secret. */
  clientId?: string;
  clientSecret?: string;
  /** Default 600. */
  accessTokenTtlSeconds?: number;
  /** Time source under the simulator clock. Default the system clock. */
  now?: () => Date;
  /** How many provider requests the request log keeps. Default 10000. */
  requestLogCapacity?: number;
}

/** The in-process handle: everything the /_sim control API can do, typed. */
export interface MaximizerSimulator {
  /** Base URL, e.g. http://127.0.0.1:8091 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly zone: string;
  readonly store: RecordStore;
  readonly clock: SimClock;
  readonly faults: FaultInjector;
  readonly oauth: OAuthServer;
  readonly requests: RequestLog;
  /** Empties records, change log, request log, faults, codes and tokens; back to the default client; clock unfrozen at real time. */
  reset(): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const REQUEST_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter(
  (kind) => !PAGE_FAULT_KINDS.includes(kind),
);
// A repeated page is the exact body that handed out a PageKey; keep the most recent ones.
const PAGE_CACHE_CAPACITY = 2000;

function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(body), contentType: JSON_TYPE, ...(headers ? { headers } : {}) };
}

function octopusError(message: string, status = 200): Reply {
  return json(status, { Code: -1, Msg: [message] });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function htmlPage(status: number, title: string, bodyHtml: string): Reply {
  return {
    status,
    contentType: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${bodyHtml}</body></html>`,
  };
}

class BodyTooLargeError extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError('body too large'));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}

/** A secret-free summary of an Octopus body for the request log. */
function summarizeOctopus(operation: string, parsed: unknown): Record<string, unknown> {
  if (!isPlainObject(parsed)) return { operation };
  const entity = Object.keys(parsed)[0];
  const inner = entity === undefined ? undefined : parsed[entity];
  const summary: Record<string, unknown> = { operation, entity };
  if (isPlainObject(inner)) {
    if (operation === 'Read') {
      summary['pageSize'] = inner['PageSize'] ?? null;
      summary['pageKey'] = inner['PageKey'] !== undefined;
      if (inner['Criteria'] !== undefined)
        summary['criteria'] = truncate(JSON.stringify(inner['Criteria']), 300);
      if (inner['OrderBy'] !== undefined)
        summary['orderBy'] = truncate(JSON.stringify(inner['OrderBy']), 200);
    } else if (isPlainObject(inner['Data'])) {
      summary['key'] = inner['Data']['Key'] ?? null;
      summary['fields'] = Object.keys(inner['Data']);
    }
  }
  return summary;
}

const CONTROL_ENDPOINTS = [
  'GET /_sim',
  'GET /_sim/stats',
  'POST /_sim/reset',
  'POST /_sim/seed',
  'POST /_sim/records/{entity}',
  'GET|PATCH|DELETE /_sim/records/{entity}/{key}',
  'GET /_sim/clock',
  'POST /_sim/clock/advance|freeze|unfreeze|set',
  'GET|POST|DELETE /_sim/faults',
  'DELETE /_sim/faults/{id}',
  'GET|DELETE /_sim/requests',
  'GET|DELETE /_sim/changes',
  'GET|POST /_sim/oauth/clients',
  'POST /_sim/oauth/tokens',
  'POST /_sim/oauth/revoke',
  'POST /_sim/oauth/expire',
];

class Simulator {
  readonly clock: SimClock;
  readonly dates: DateRenderer;
  readonly store: RecordStore;
  readonly oauth: OAuthServer;
  readonly faults: FaultInjector;
  readonly requests: RequestLog;
  private readonly pageCache = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: MaximizerSimulatorOptions) {
    this.clock = new SimClock(options.now);
    this.dates = new DateRenderer(options.zone ?? 'America/Toronto');
    this.store = new RecordStore(this.clock, this.dates);
    this.oauth = new OAuthServer(
      this.clock,
      {
        clientId: options.clientId ?? 'pollcast-dev',
        clientSecret: options.clientSecret ?? 'pollcast-dev-secret',
      },
      options.accessTokenTtlSeconds ?? 600,
    );
    this.faults = new FaultInjector(this.clock);
    this.requests = new RequestLog(options.requestLogCapacity);
  }

  reset(): void {
    this.store.reset();
    this.oauth.reset();
    this.faults.clear();
    this.requests.clear();
    this.clock.reset();
    this.pageCache.clear();
  }

  cancelTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    if (path === '/health/live' || path === '/health/ready') {
      await readBody(request);
      send(response, json(200, { status: 'ok', records: this.store.count() }));
      return;
    }
    if (path === '/_sim' || path.startsWith('/_sim/')) {
      send(response, await this.control(request, method, path, url.searchParams));
      return;
    }
    await this.provider(request, response, method, path, url.searchParams);
  }

  // ---- Provider endpoints (OAuth + Octopus), with faults and the request log ---------------------

  private async provider(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const entry = this.requests.start(method, path, this.clock.now());
    const isOAuth = path.startsWith('/OAuth2/');
    const fault = this.faults.take(path, REQUEST_FAULT_KINDS);
    let malformed = false;
    if (fault) {
      entry.fault = fault.kind;
      const early = await this.applyRequestFault(fault, request, response, isOAuth, entry);
      if (early === 'handled') return;
      malformed = fault.kind === 'malformedJson';
    }

    let raw: string;
    try {
      raw = await readBody(request);
    } catch (error) {
      this.finish(
        response,
        entry,
        error instanceof BodyTooLargeError
          ? json(413, { error: 'body too large' })
          : json(400, { error: 'unreadable body' }),
        false,
      );
      return;
    }
    const started = process.hrtime.bigint();
    let reply: Reply;
    const oauthMatch = /^\/OAuth2\/([^/]+)\/(Authorize|Token)$/.exec(path);
    const octopusMatch = /^\/octopus\/([^/]+)$/.exec(path);
    if (oauthMatch) {
      reply = this.oauthEndpoint(oauthMatch[2] ?? '', method, query, raw, request, entry);
    } else if (octopusMatch) {
      reply = this.octopus(octopusMatch[1] ?? '', method, raw, request, entry);
    } else {
      reply = json(404, { error: 'not_found', message: `no route for ${method} ${path}` });
    }
    entry.serverMicros = Number((process.hrtime.bigint() - started) / 1000n);
    this.finish(response, entry, reply, malformed);
  }

  private finish(response: ServerResponse, entry: LoggedRequest, reply: Reply, malformed: boolean): void {
    entry.status = reply.status;
    // Cut the body mid-way: the client sees a 200 with JSON that does not parse.
    send(
      response,
      malformed
        ? { ...reply, body: reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2))) }
        : reply,
    );
  }

  /** Applies a request-phase fault; 'handled' when the response is already decided. */
  private async applyRequestFault(
    fault: Fault,
    request: IncomingMessage,
    response: ServerResponse,
    isOAuth: boolean,
    entry: LoggedRequest,
  ): Promise<'handled' | 'continue'> {
    switch (fault.kind) {
      case 'rateLimit': {
        await readBody(request).catch(() => '');
        const retryAfter = String(fault.retryAfterSeconds ?? 1);
        const body = isOAuth ? { error: 'too_many_requests' } : { Code: -1, Msg: ['Too many requests'] };
        this.finish(response, entry, json(429, body, { 'Retry-After': retryAfter }), false);
        return 'handled';
      }
      case 'serverError': {
        await readBody(request).catch(() => '');
        const status = fault.status ?? 500;
        this.finish(response, entry, json(status, { Code: -1, Msg: [`Simulated HTTP ${status}`] }), false);
        return 'handled';
      }
      case 'unauthorized': {
        await readBody(request).catch(() => '');
        const body = isOAuth ? { error: 'invalid_client' } : { Code: -1, Msg: ['Invalid token'] };
        this.finish(response, entry, json(401, body), false);
        return 'handled';
      }
      case 'timeout': {
        // Never answer: the client's own timeout is what is being tested. Drop the socket eventually
        // so an abandoned client cannot pin the simulator forever.
        request.resume();
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          response.destroy();
        }, fault.holdMs ?? 300_000);
        this.timers.add(timer);
        response.on('close', () => {
          clearTimeout(timer);
          this.timers.delete(timer);
        });
        return 'handled';
      }
      case 'slow':
        await this.sleep(fault.delayMs ?? 0);
        return 'continue';
      case 'malformedJson':
      case 'repeatPage':
      case 'emptyPage':
        return 'continue';
    }
  }

  private oauthEndpoint(
    endpoint: string,
    method: string,
    query: URLSearchParams,
    raw: string,
    request: IncomingMessage,
    entry: LoggedRequest,
  ): Reply {
    if (endpoint === 'Authorize') {
      const params = method === 'POST' ? new URLSearchParams(raw) : query;
      entry.summary = {
        operation: 'Authorize',
        client_id: params.get('client_id'),
        auto: params.get('auto') === '1',
      };
      if (method !== 'GET' && method !== 'POST')
        return htmlPage(405, 'Method not allowed', '<p>Use GET or POST.</p>');
      const check = this.oauth.checkAuthorize(params);
      if (!check.ok) {
        return htmlPage(
          400,
          'Invalid authorization request',
          `<h1>Invalid request</h1><p>Parameter <code>${escapeHtml(check.parameter)}</code>: ${escapeHtml(check.message)}</p>`,
        );
      }
      if (method === 'GET' && params.get('auto') !== '1') return this.consentPage(params);
      const decision = method === 'POST' ? params.get('decision') : 'allow';
      const location = decision === 'deny' ? this.oauth.deny(params) : this.oauth.approve(params);
      return { status: 302, body: '', headers: { Location: location } };
    }
    if (method !== 'POST') return json(405, { error: 'invalid_request', error_description: 'use POST' });
    const form = new URLSearchParams(raw);
    entry.summary = {
      operation: 'Token',
      grant_type: form.get('grant_type'),
      client_id: form.get('client_id'),
    };
    const reply = this.oauth.token(form, request.headers.authorization);
    return json(reply.status, reply.body, { 'Cache-Control': 'no-store' });
  }

  private consentPage(params: URLSearchParams): Reply {
    const hidden = [...params.entries()]
      .filter(([name]) => name !== 'auto' && name !== 'decision')
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('');
    const client = escapeHtml(params.get('client_id') ?? '');
    return htmlPage(
      200,
      'Maximizer – authorize access',
      `<h1>Maximizer CRM (simulator)</h1><p>The application <strong>${client}</strong> asks to access your Maximizer data.</p>` +
        `<form method="post">${hidden}<button type="submit" name="decision" value="allow">Allow</button> ` +
        `<button type="submit" name="decision" value="deny">Deny</button></form>`,
    );
  }

  private octopus(
    operation: string,
    method: string,
    raw: string,
    request: IncomingMessage,
    entry: LoggedRequest,
  ): Reply {
    const authorization = request.headers.authorization ?? '';
    const token = authorization.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
    let parsed: unknown;
    let parseFailed = false;
    try {
      parsed = raw.length === 0 ? undefined : JSON.parse(raw);
    } catch {
      parseFailed = true;
    }
    entry.summary = summarizeOctopus(operation, parsed);
    if (!token || !this.oauth.isValidAccessToken(token)) return octopusError('Invalid token', 401);
    if (method !== 'POST') return octopusError(`Use POST for /octopus/${operation}`, 405);
    if (!['Read', 'Create', 'Update', 'Delete'].includes(operation)) {
      return octopusError(`Unknown operation '${operation}'`, 404);
    }
    if (parseFailed) return octopusError('Request body is not valid JSON');
    if (!isPlainObject(parsed)) return octopusError('Request body must be a JSON object naming one entity');
    const names = Object.keys(parsed);
    const entity = names[0];
    if (names.length !== 1 || entity === undefined) {
      return octopusError('Request body must name exactly one entity (AbEntry or Opportunity)');
    }
    if (!isEntityName(entity)) return octopusError(`Unknown entity '${entity}'`);
    const inner = parsed[entity];
    try {
      if (operation === 'Read') return this.octopusRead(entity, inner, entry);
      if (!isPlainObject(inner) || !('Data' in inner)) return octopusError(`${entity}.Data is required`);
      const data = inner['Data'];
      const result =
        operation === 'Create'
          ? this.store.createFromWire(entity, data)
          : operation === 'Update'
            ? this.store.updateFromWire(entity, data)
            : this.store.deleteFromWire(entity, data);
      return json(200, { Code: 0, [entity]: { Data: result } });
    } catch (error) {
      if (error instanceof OctopusError) return octopusError(error.message);
      throw error;
    }
  }

  private octopusRead(entity: EntityName, inner: unknown, entry: LoggedRequest): Reply {
    const result = this.store.readFromWire(entity, inner);
    const requestPageKey =
      isPlainObject(inner) && typeof inner['PageKey'] === 'string' ? inner['PageKey'] : null;
    const pageFault = this.faults.take(
      '/octopus/Read',
      PAGE_FAULT_KINDS,
      (fault) =>
        fault.kind === 'emptyPage' || (requestPageKey !== null && this.pageCache.has(requestPageKey)),
    );
    if (pageFault) {
      entry.fault = pageFault.kind;
      if (pageFault.kind === 'repeatPage' && requestPageKey !== null) {
        const previous = this.pageCache.get(requestPageKey);
        if (previous !== undefined) return { status: 200, body: previous, contentType: JSON_TYPE };
      }
      return json(200, {
        Code: 0,
        [entity]: { Data: [], PageKey: this.store.pageKeyForSamePosition(entity, inner) },
      });
    }
    const body = JSON.stringify({
      Code: 0,
      [entity]:
        result.pageKey === undefined ? { Data: result.data } : { Data: result.data, PageKey: result.pageKey },
    });
    if (result.pageKey !== undefined) {
      if (this.pageCache.size >= PAGE_CACHE_CAPACITY) {
        const oldest = this.pageCache.keys().next();
        if (!oldest.done) this.pageCache.delete(oldest.value);
      }
      this.pageCache.set(result.pageKey, body);
    }
    return { status: 200, body, contentType: JSON_TYPE };
  }

  // ---- Control API ----------------------------------------------------------------------------------

  private async control(
    request: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
  ): Promise<Reply> {
    let raw: string;
    try {
      raw = await readBody(request);
    } catch {
      return json(413, { error: 'body_too_large', message: 'request body over 10 MB' });
    }
    let body: unknown = {};
    if (raw.trim().length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        return json(400, { error: 'invalid_json', message: 'request body is not valid JSON' });
      }
    }
    try {
      return this.route(method, path.replace(/\/+$/, ''), body, query);
    } catch (error) {
      if (error instanceof RecordNotFoundError)
        return json(404, { error: 'not_found', message: error.message });
      if (error instanceof OctopusError)
        return json(400, { error: 'invalid_record', message: error.message });
      throw error;
    }
  }

  private route(method: string, path: string, body: unknown, query: URLSearchParams): Reply {
    const segments = path
      .split('/')
      .slice(2)
      .map((segment) => decodeURIComponent(segment));
    const [area, first, second] = segments;
    const listQuery = (): z.infer<typeof listQuerySchema> | Reply =>
      validate(listQuerySchema, Object.fromEntries(query));
    switch (
      `${method} ${area ?? ''}${first === undefined ? '' : '/' + (area === 'records' || area === 'faults' ? '*' : first)}${second === undefined ? '' : '/*'}`
    ) {
      case 'GET ':
        return json(200, { endpoints: CONTROL_ENDPOINTS });
      case 'GET stats':
        return json(200, {
          records: this.store.count(),
          byType: this.store.countsByType(),
          clock: this.clock.state(),
          faults: this.faults.list().length,
          zone: this.dates.zone,
        });
      case 'POST reset':
        this.reset();
        return json(200, { reset: true });
      case 'POST seed': {
        const parsed = validate(seedBodySchema, body);
        if (isReply(parsed)) return parsed;
        const result = this.store.seed({
          count: parsed.count,
          ...(parsed.seed !== undefined ? { seed: parsed.seed } : {}),
          ...(parsed.from !== undefined ? { from: new Date(parsed.from) } : {}),
          ...(parsed.to !== undefined ? { to: new Date(parsed.to) } : {}),
          ...(parsed.mix !== undefined ? { mix: parsed.mix } : {}),
          ...(parsed.logChanges !== undefined ? { logChanges: parsed.logChanges } : {}),
        });
        return json(200, result);
      }
      case 'POST records/*': {
        const entity = requireEntity(first);
        if (isReply(entity)) return entity;
        const fields = validate(recordBodySchema, body);
        if (isReply(fields)) return fields;
        return json(201, this.store.createFromWire(entity, fields));
      }
      case 'GET records/*/*':
      case 'PATCH records/*/*':
      case 'DELETE records/*/*': {
        const entity = requireEntity(first);
        if (isReply(entity)) return entity;
        const key = second ?? '';
        if (method === 'GET') {
          const record = this.store.get(entity, key);
          return record
            ? json(200, record)
            : json(404, { error: 'not_found', message: `${entity} with Key '${key}' not found` });
        }
        if (method === 'DELETE') return json(200, this.store.deleteFromWire(entity, { Key: key }));
        const fields = validate(recordBodySchema, body);
        if (isReply(fields)) return fields;
        if ('Key' in fields && fields['Key'] !== key)
          return validationError('Key', 'must not differ from the Key in the path');
        return json(200, this.store.updateFromWire(entity, { ...fields, Key: key }));
      }
      case 'GET clock':
        return json(200, this.clock.state());
      case 'POST clock/advance': {
        const parsed = validate(clockAdvanceBodySchema, body);
        if (isReply(parsed)) return parsed;
        this.clock.advance(parsed.ms ?? Math.round((parsed.seconds ?? 0) * 1000));
        return json(200, this.clock.state());
      }
      case 'POST clock/freeze': {
        const parsed = validate(clockFreezeBodySchema, body);
        if (isReply(parsed)) return parsed;
        this.clock.freeze(parsed.at === undefined ? undefined : new Date(parsed.at));
        return json(200, this.clock.state());
      }
      case 'POST clock/unfreeze':
        this.clock.unfreeze();
        return json(200, this.clock.state());
      case 'POST clock/set': {
        const parsed = validate(clockSetBodySchema, body);
        if (isReply(parsed)) return parsed;
        this.clock.set(new Date(parsed.at));
        return json(200, this.clock.state());
      }
      case 'GET faults':
        return json(200, { faults: this.faults.list() });
      case 'POST faults': {
        const parsed = validate(faultBodySchema, body);
        if (isReply(parsed)) return parsed;
        return json(201, this.faults.add(parsed));
      }
      case 'DELETE faults':
        this.faults.clear();
        return json(200, { cleared: true });
      case 'DELETE faults/*':
        return this.faults.remove(first ?? '')
          ? json(200, { removed: first })
          : json(404, { error: 'not_found', message: `no fault '${first ?? ''}'` });
      case 'GET requests': {
        const parsed = listQuery();
        if (isReply(parsed)) return parsed;
        return json(200, { requests: this.requests.list(parsed) });
      }
      case 'DELETE requests':
        this.requests.clear();
        return json(200, { cleared: true });
      case 'GET changes': {
        const parsed = listQuery();
        if (isReply(parsed)) return parsed;
        return json(200, { changes: this.store.changes(parsed) });
      }
      case 'DELETE changes':
        this.store.clearChanges();
        return json(200, { cleared: true });
      case 'GET oauth/clients':
        return json(200, { clients: this.oauth.clientIds().map((clientId) => ({ clientId })) });
      case 'POST oauth/clients': {
        const parsed = validate(oauthClientBodySchema, body);
        if (isReply(parsed)) return parsed;
        this.oauth.registerClient(parsed.clientId, parsed.clientSecret);
        return json(201, { clientId: parsed.clientId });
      }
      case 'POST oauth/tokens': {
        const parsed = validate(oauthTokenBodySchema, body);
        if (isReply(parsed)) return parsed;
        const clientId = parsed.clientId ?? this.oauth.clientIds()[0] ?? '';
        if (!this.oauth.clientIds().includes(clientId))
          return validationError('clientId', `unknown client '${clientId}'`);
        return json(201, this.oauth.issueTokens(clientId, parsed.accessTokenTtlSeconds));
      }
      case 'POST oauth/revoke': {
        const parsed = validate(oauthRevokeBodySchema, body);
        if (isReply(parsed)) return parsed;
        if (parsed.token !== undefined) {
          const revoked = this.oauth.revoke(parsed.token);
          return revoked
            ? json(200, { revoked })
            : json(404, { error: 'not_found', message: 'unknown token' });
        }
        return json(200, {
          revoked: this.oauth.revokeAll(parsed.all === true ? undefined : parsed.clientId),
        });
      }
      case 'POST oauth/expire':
        return json(200, { expired: this.oauth.expireAccessTokens() });
      default:
        return json(404, {
          error: 'not_found',
          message: `no control endpoint ${method} ${path} (GET /_sim lists them)`,
        });
    }
  }
}

function isReply(value: unknown): value is Reply {
  return value instanceof ReplyMarker;
}

/** Distinguishes a ready error reply from parsed data in `validate`'s result. */
class ReplyMarker implements Reply {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly contentType = JSON_TYPE,
  ) {}
}

function validationError(field: string, message: string): Reply {
  return new ReplyMarker(
    400,
    JSON.stringify({
      error: 'validation',
      message: `${field}: ${message}`,
      issues: [{ path: field, message }],
    }),
  );
}

function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> | Reply {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const described = describeIssues(parsed.error);
  return new ReplyMarker(400, JSON.stringify({ error: 'validation', ...described }));
}

function requireEntity(name: string | undefined): EntityName | Reply {
  if (name !== undefined && isEntityName(name)) return name;
  return validationError('entity', `unknown entity '${name ?? ''}' (expected AbEntry or Opportunity)`);
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string | number> = { ...(reply.headers ?? {}) };
  if (reply.body.length > 0 || reply.status !== 302) {
    headers['Content-Type'] = reply.contentType ?? JSON_TYPE;
  }
  headers['Content-Length'] = Buffer.byteLength(reply.body);
  response.writeHead(reply.status, headers);
  response.end(reply.body);
}

export async function createMaximizerSimulator(
  options: MaximizerSimulatorOptions = {},
): Promise<MaximizerSimulator> {
  const simulator = new Simulator(options);
  const server: Server = createServer({ keepAlive: true }, (request, response) => {
    simulator.handle(request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      send(response, json(500, { Code: -1, Msg: [`Simulator error: ${message}`] }));
    });
  });
  // Longer than undici's / Node's client keep-alive, so the client always closes idle sockets first.
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    zone: simulator.dates.zone,
    store: simulator.store,
    clock: simulator.clock,
    faults: simulator.faults,
    oauth: simulator.oauth,
    requests: simulator.requests,
    reset: () => simulator.reset(),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        simulator.cancelTimers();
        server.close((error) => (error ? reject(error) : resolve()));
        // Held (timeout fault) and idle keep-alive sockets would otherwise keep close() waiting.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
