// Salesforce: OAuth 2 web server flow (/services/oauth2/authorize, /services/oauth2/token with
// instance_url in the answer) and the REST query resource (GET /services/data/vXX.X/query?q=SOQL,
// next pages at nextRecordsUrl). Errors are Salesforce's array of {message, errorCode}.
import { randomBytes } from 'node:crypto';
import { escapeHtml, htmlPage, json, type Reply } from '@pollcast/tool-process';
import type { Collection, FieldValue, SimRecord } from '../records';
import {
  bearerToken,
  type ProviderContext,
  type ProviderEndpoint,
  type ProviderFaultKind,
  type ProviderRequest,
} from './provider';
import {
  parseSoql,
  type SoqlCondition,
  SoqlError,
  type SoqlOrder,
  type SoqlQuery,
  type SoqlValue,
} from './soql';

/** Fields every simulated sObject has; others are whatever its records were given. */
const SYSTEM_FIELDS = ['Id', 'Name', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'IsDeleted'];
const DATE_FIELDS = new Set(['CreatedDate', 'LastModifiedDate', 'SystemModstamp']);
/** Objects a query may name before any record exists (others are INVALID_TYPE until one is created). */
const STANDARD_OBJECTS = ['Account', 'Contact', 'Lead', 'Opportunity', 'Case'];
const DEFAULT_BATCH = 2000;
/** A query locator is dropped after 15 minutes without use (simulator clock), as Salesforce's are. */
const LOCATOR_IDLE_MS = 15 * 60 * 1000;
const MAX_LOCATORS = 200;

interface Locator {
  readonly ids: string[];
  readonly object: string;
  readonly fields: string[];
  readonly version: string;
  readonly batch: number;
  lastUsedMs: number;
}

type SfError = { message: string; errorCode: string };
const sfError = (
  status: number,
  errorCode: string,
  message: string,
  headers?: Record<string, string>,
): Reply => json(status, [{ message, errorCode } satisfies SfError], headers);

/** Salesforce's dateTime rendering: 2024-01-15T16:54:00.000+0000. */
export function salesforceDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export class SalesforceProvider implements ProviderEndpoint {
  readonly name = 'salesforce' as const;
  readonly prefixes = ['/services/'] as const;
  private readonly locators = new Map<string, Locator>();

  constructor(private readonly context: ProviderContext) {}

  reset(): void {
    this.locators.clear();
  }

  faultReply(kind: ProviderFaultKind, status: number, path: string, retryAfterSeconds: number): Reply {
    const oauth = path.startsWith('/services/oauth2/');
    switch (kind) {
      case 'rateLimit':
        return oauth
          ? json(status, { error: 'too_many_requests' }, { 'Retry-After': String(retryAfterSeconds) })
          : sfError(status, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', {
              'Retry-After': String(retryAfterSeconds),
            });
      case 'serverError':
        return oauth
          ? json(status, { error: 'server_error' })
          : sfError(status, 'SERVER_UNAVAILABLE', `Simulated HTTP ${status}`);
      case 'unauthorized':
        return oauth
          ? json(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' })
          : sessionExpired();
    }
  }

  handle(request: ProviderRequest): Reply {
    const { path, method } = request;
    if (path === '/services/oauth2/authorize') return this.authorize(request);
    if (path === '/services/oauth2/token') return this.token(request);
    const query = /^\/services\/data\/v(\d{2,3}\.\d)\/query\/?$/.exec(path);
    const more = /^\/services\/data\/v(\d{2,3}\.\d)\/query\/(01g[A-Za-z0-9]{15})-(\d{1,9})$/.exec(path);
    if (!query && !more) {
      return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    if (method !== 'GET') {
      return sfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET,HEAD`);
    }
    const token = bearerToken(request.headers, ['Bearer', 'OAuth']);
    if (token === null || !this.context.oauth.isValidAccessToken(token)) return sessionExpired();
    if (more) return this.nextPage(more[2] ?? '', more[1] ?? '', Number(more[3]), request);
    return this.query(query?.[1] ?? '', request);
  }

  private query(version: string, request: ProviderRequest): Reply {
    const soql = request.query.get('q');
    request.entry.summary = { operation: 'query', q: soql === null ? null : soql.slice(0, 500) };
    if (soql === null || soql.trim().length === 0) {
      return sfError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    }
    let parsed: SoqlQuery;
    try {
      parsed = parseSoql(soql);
    } catch (error) {
      if (error instanceof SoqlError) return sfError(400, error.errorCode, error.message);
      throw error;
    }
    const batch = batchSize(request.headers['sforce-query-options']);
    const collection = this.context.store.find('salesforce', parsed.object);
    if (!collection && !STANDARD_OBJECTS.includes(parsed.object)) {
      return sfError(
        400,
        'INVALID_TYPE',
        `\n${soql.slice(0, 200)}\n^\nERROR at Row:1:Column:1\nsObject type '${parsed.object}' is not supported.`,
      );
    }
    const known = new Set([...SYSTEM_FIELDS, ...(collection?.fieldNames ?? [])]);
    const referenced = [
      ...parsed.fields,
      ...parsed.where.map((c) => c.field),
      ...parsed.orderBy.map((o) => o.field),
    ];
    for (const field of referenced) {
      if (!known.has(field)) {
        return sfError(400, 'INVALID_FIELD', `No such column '${field}' on entity '${parsed.object}'.`);
      }
    }
    for (const condition of parsed.where) {
      const problem = conditionProblem(condition);
      if (problem) return sfError(400, 'INVALID_FIELD', problem);
    }
    const matching = collection ? select(collection, parsed) : [];
    const ids = matching.map((record) => record.id);
    return this.page(
      {
        ids,
        object: parsed.object,
        fields: parsed.fields,
        version,
        batch,
        lastUsedMs: this.context.clock.nowMs(),
      },
      0,
      collection,
    );
  }

  private nextPage(locatorId: string, version: string, start: number, request: ProviderRequest): Reply {
    request.entry.summary = { operation: 'queryMore', locator: locatorId, start };
    const locator = this.locators.get(locatorId);
    const now = this.context.clock.nowMs();
    if (
      !locator ||
      now - locator.lastUsedMs > LOCATOR_IDLE_MS ||
      start > locator.ids.length ||
      locator.version !== version
    ) {
      this.locators.delete(locatorId);
      return sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    locator.lastUsedMs = now;
    return this.page(locator, start, this.context.store.find('salesforce', locator.object), locatorId);
  }

  /** One batch of a result, with nextRecordsUrl when more remain (the locator keeps the matching ids). */
  private page(
    locator: Locator,
    start: number,
    collection: Collection | undefined,
    locatorId?: string,
  ): Reply {
    const end = Math.min(locator.ids.length, start + locator.batch);
    const records: Record<string, unknown>[] = [];
    for (let index = start; index < end; index++) {
      const record = collection?.get(locator.ids[index] ?? '');
      // Deleted since the query ran: Salesforce's locator would skip it too (query, not queryAll).
      if (record) records.push(render(record, locator.object, locator.fields, locator.version));
    }
    const done = end >= locator.ids.length;
    const body: Record<string, unknown> = { totalSize: locator.ids.length, done, records };
    if (!done) {
      const id = locatorId ?? this.newLocator(locator);
      body['nextRecordsUrl'] = `/services/data/v${locator.version}/query/${id}-${end}`;
    } else if (locatorId) {
      this.locators.delete(locatorId);
    }
    return json(200, body);
  }

  private newLocator(locator: Locator): string {
    if (this.locators.size >= MAX_LOCATORS) {
      const oldest = this.locators.keys().next().value;
      if (oldest !== undefined) this.locators.delete(oldest);
    }
    const id = `01g${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 15)}`;
    this.locators.set(id, locator);
    return id;
  }

  private authorize(request: ProviderRequest): Reply {
    const { method } = request;
    const params = method === 'POST' ? new URLSearchParams(request.body) : request.query;
    request.entry.summary = { operation: 'authorize', client_id: params.get('client_id') };
    if (method !== 'GET' && method !== 'POST')
      return htmlPage(405, 'Method not allowed', '<p>Use GET or POST.</p>');
    const check = this.context.oauth.checkAuthorize(params);
    if (!check.ok) {
      return htmlPage(
        400,
        'error',
        `<h1>OAuth error</h1><p>error=invalid_request&amp;error_description=${escapeHtml(check.parameter)}: ${escapeHtml(check.message)}</p>`,
      );
    }
    if (method === 'GET' && params.get('auto') !== '1') {
      const hidden = [...params.entries()]
        .filter(([name]) => name !== 'auto' && name !== 'decision')
        .map(
          ([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
        )
        .join('');
      return htmlPage(
        200,
        'Salesforce – allow access',
        `<h1>Salesforce (simulator)</h1><p><strong>${escapeHtml(params.get('client_id') ?? '')}</strong> is requesting access to your data.</p>` +
          `<form method="post">${hidden}<button type="submit" name="decision" value="allow">Allow</button> ` +
          `<button type="submit" name="decision" value="deny">Deny</button></form>`,
      );
    }
    const decision = method === 'POST' ? params.get('decision') : 'allow';
    const location =
      decision === 'deny' ? this.context.oauth.deny(params) : this.context.oauth.approve(params);
    return { status: 302, body: '', headers: { Location: location } };
  }

  private token(request: ProviderRequest): Reply {
    if (request.method !== 'POST') {
      return json(405, { error: 'invalid_request', error_description: 'must use HTTP POST' });
    }
    const form = new URLSearchParams(request.body);
    request.entry.summary = {
      operation: 'token',
      grant_type: form.get('grant_type'),
      client_id: form.get('client_id'),
    };
    const reply = this.context.oauth.token(form, request.headers.authorization);
    if (reply.status !== 200 || !('access_token' in reply.body)) {
      // Salesforce answers every token error with 400 (invalid_client included).
      return json(400, reply.body, { 'Cache-Control': 'no-store' });
    }
    return json(200, this.tokenResponse(reply.body), { 'Cache-Control': 'no-store' });
  }

  /** Salesforce's token response: no expires_in; instance_url, id, issued_at, signature. */
  tokenResponse(issued: { access_token: string; refresh_token: string }): Record<string, string> {
    const base = this.context.baseUrl();
    return {
      access_token: issued.access_token,
      refresh_token: issued.refresh_token,
      signature: randomBytes(32).toString('base64'),
      scope: 'api refresh_token',
      instance_url: base,
      id: `${base}/id/00D000000000001AAA/005000000000001AAA`,
      token_type: 'Bearer',
      issued_at: String(this.context.clock.nowMs()),
    };
  }
}

function sessionExpired(): Reply {
  return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid', { 'WWW-Authenticate': 'Token' });
}

function batchSize(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : /batchSize=(\d{1,6})/i.exec(value);
  if (!match) return DEFAULT_BATCH;
  // Salesforce takes 200..2000 and may return more or fewer; the simulator clamps.
  return Math.min(2000, Math.max(200, Number(match[1])));
}

function conditionProblem(condition: SoqlCondition): string | null {
  const isDate = DATE_FIELDS.has(condition.field);
  const { value } = condition;
  if (isDate && value.kind !== 'dateTime' && value.kind !== 'null') {
    return `value of filter criterion for field '${condition.field}' must be of type dateTime and should not be enclosed in quotes`;
  }
  if (!isDate && value.kind === 'dateTime') {
    return `value of filter criterion for field '${condition.field}' must be of type string and should be enclosed in quotes`;
  }
  return null;
}

function fieldValue(record: SimRecord, field: string): FieldValue {
  switch (field) {
    case 'Id':
      return record.id;
    case 'CreatedDate':
      return record.createdMs;
    case 'LastModifiedDate':
    case 'SystemModstamp':
      return record.updatedMs;
    case 'IsDeleted':
      return false;
    default:
      return record.fields[field] ?? null;
  }
}

function literal(value: SoqlValue): FieldValue {
  switch (value.kind) {
    case 'dateTime':
      return value.ms;
    case 'null':
      return null;
    case 'string':
    case 'number':
    case 'boolean':
      return value.value;
  }
}

function compare(left: FieldValue, right: FieldValue): number {
  if (left === right) return 0;
  if (left === null) return -1;
  if (right === null) return 1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left) < String(right) ? -1 : 1;
}

function matches(record: SimRecord, condition: SoqlCondition): boolean {
  const left = fieldValue(record, condition.field);
  const right = literal(condition.value);
  if (right === null || left === null) {
    const same = left === right;
    return condition.operator === '=' ? same : condition.operator === '!=' ? !same : false;
  }
  const order = compare(left, right);
  switch (condition.operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

/** The matching records in the query's order. "Modified after T, oldest first" starts by binary search. */
function select(collection: Collection, query: SoqlQuery): SimRecord[] {
  const all = collection.all();
  let start = 0;
  for (const condition of query.where) {
    if (
      (condition.field === 'SystemModstamp' || condition.field === 'LastModifiedDate') &&
      condition.value.kind === 'dateTime'
    ) {
      if (condition.operator === '>')
        start = Math.max(start, collection.lowerBound(condition.value.ms, false));
      if (condition.operator === '>=' || condition.operator === '=')
        start = Math.max(start, collection.lowerBound(condition.value.ms, true));
    }
  }
  const found: SimRecord[] = [];
  for (let index = start; index < all.length; index++) {
    const record = all[index];
    if (record && query.where.every((condition) => matches(record, condition))) found.push(record);
  }
  const order: SoqlOrder[] =
    query.orderBy.length > 0 ? [...query.orderBy] : [{ field: 'Id', descending: false, nullsLast: false }];
  const servedByIndex =
    !order[0]?.descending &&
    (order[0]?.field === 'SystemModstamp' || order[0]?.field === 'LastModifiedDate') &&
    (order.length === 1 || (order.length === 2 && order[1]?.field === 'Id' && !order[1].descending));
  if (!servedByIndex) {
    found.sort((a, b) => {
      for (const { field, descending, nullsLast } of order) {
        const left = fieldValue(a, field);
        const right = fieldValue(b, field);
        if (left === right) continue;
        if (left === null || right === null) return (left === null) === nullsLast ? 1 : -1;
        const result = compare(left, right);
        return descending ? -result : result;
      }
      return a.seq - b.seq;
    });
  }
  const offset = query.offset ?? 0;
  return found.slice(offset, query.limit === null ? undefined : offset + query.limit);
}

function render(
  record: SimRecord,
  object: string,
  fields: string[],
  version: string,
): Record<string, unknown> {
  const rendered: Record<string, unknown> = {
    attributes: { type: object, url: `/services/data/v${version}/sobjects/${object}/${record.id}` },
  };
  for (const field of fields) {
    const value = fieldValue(record, field);
    rendered[field] = DATE_FIELDS.has(field) && typeof value === 'number' ? salesforceDate(value) : value;
  }
  return rendered;
}
