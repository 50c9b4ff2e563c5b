// The provider side of the simulator: Maximizer's OAuth endpoints (authorize with a consent page,
// token) and the Octopus API (Read with paging, Create, Update, Delete), with injected faults applied
// and every request recorded in the request log.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BodyTooLargeError,
  cutInHalf,
  FaultTimers,
  escapeHtml,
  htmlPage,
  json,
  JSON_TYPE,
  readBody,
  type LoggedRequest,
  type OAuthServer,
  type Reply,
  type RequestLog,
  send,
  type SimClock,
} from '@pollcast/tool-process';
import { type EntityName, isEntityName } from './entities';
import { type Fault, type FaultKind, FAULT_KINDS, type FaultInjector, PAGE_FAULT_KINDS } from './faults';
import { OctopusError } from './query';
import type { SimulatorParts } from './simulator-parts';
import type { RecordStore } from './store';

const REQUEST_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter(
  (kind) => !PAGE_FAULT_KINDS.includes(kind),
);
// A repeated page is the exact body that handed out a PageKey; keep the most recent ones.
const PAGE_CACHE_CAPACITY = 2000;

function octopusError(message: string, status = 200): Reply {
  return json(status, { Code: -1, Msg: [message] });
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

export class ProviderApi {
  private readonly clock: SimClock;
  private readonly store: RecordStore;
  private readonly oauth: OAuthServer;
  private readonly faults: FaultInjector;
  private readonly requests: RequestLog;
  private readonly pageCache = new Map<string, string>();
  private readonly timers = new FaultTimers();

  constructor(parts: SimulatorParts) {
    this.clock = parts.clock;
    this.store = parts.store;
    this.oauth = parts.oauth;
    this.faults = parts.faults;
    this.requests = parts.requests;
  }

  /** Forgets the pages kept for the repeatPage fault (part of the simulator's reset). */
  clearPageCache(): void {
    this.pageCache.clear();
  }

  cancelTimers(): void {
    this.timers.cancel();
  }

  async handle(
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
    send(response, malformed ? cutInHalf(reply) : reply);
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
        this.timers.hold(request, response, fault.holdMs ?? 300_000);
        return 'handled';
      }
      case 'slow':
        await this.timers.sleep(fault.delayMs ?? 0);
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
}
