// HubSpot CRM search: POST /crm/v3/objects/{objectType}/search with filterGroups (ORed groups of ANDed
// filters), one sort, properties, limit (≤ 200) and after; answers {total, results, paging.next.after}.
// Private-app bearer tokens. At most 10,000 results per query, as HubSpot documents.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { json, type Reply } from '@pollcast/tool-process';
import type { Collection, FieldValue, SimRecord } from '../records';
import {
  bearerToken,
  type ProviderContext,
  type ProviderEndpoint,
  type ProviderFaultKind,
  type ProviderRequest,
} from './provider';

const OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
] as const;
type Operator = (typeof OPERATORS)[number];
const MAX_RESULTS = 10_000;

const filterSchema = z.strictObject({
  propertyName: z.string().min(1).max(200),
  operator: z.enum(OPERATORS),
  value: z.union([z.string().max(1000), z.number(), z.boolean()]).optional(),
  highValue: z.union([z.string().max(1000), z.number()]).optional(),
  values: z
    .array(z.union([z.string().max(1000), z.number()]))
    .max(100)
    .optional(),
});
const sortSchema = z.union([
  z.strictObject({
    propertyName: z.string().min(1).max(200),
    direction: z.enum(['ASCENDING', 'DESCENDING']).optional(),
  }),
  z.string().min(1).max(201),
]);
const searchBodySchema = z.strictObject({
  filterGroups: z
    .array(z.strictObject({ filters: z.array(filterSchema).max(6) }))
    .max(5)
    .optional(),
  sorts: z.array(sortSchema).max(1).optional(),
  query: z.string().max(3000).optional(),
  properties: z.array(z.string().min(1).max(200)).max(500).optional(),
  limit: z.number().int().min(1).max(200).optional(),
  after: z.union([z.string().regex(/^\d{1,9}$/), z.number().int().min(0)]).optional(),
});
type Filter = z.infer<typeof filterSchema>;

/** contacts keep `lastmodifieddate`; the other objects `hs_lastmodifieddate`. */
export function modifiedProperty(objectType: string): string {
  return objectType === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

const DEFAULT_PROPERTIES: Record<string, string[]> = {
  contacts: ['firstname', 'lastname', 'email'],
  companies: ['name', 'domain'],
  deals: ['dealname', 'amount', 'dealstage'],
  tickets: ['subject', 'content', 'hs_pipeline_stage'],
};

function errorBody(
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

/** A date filter value: epoch milliseconds (number or digits) or an ISO-8601 instant. */
function dateValue(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  if (/^-?\d{1,15}$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value))
    return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export class HubSpotProvider implements ProviderEndpoint {
  readonly name = 'hubspot' as const;
  readonly prefixes = ['/crm/'] as const;

  constructor(private readonly context: ProviderContext) {}

  faultReply(kind: ProviderFaultKind, status: number, _path: string, retryAfterSeconds: number): Reply {
    switch (kind) {
      case 'rateLimit':
        return json(
          status,
          errorBody('RATE_LIMITS', 'You have reached your secondly limit.', {
            errorType: 'RATE_LIMIT',
            policyName: 'SECONDLY',
          }),
          {
            'Retry-After': String(retryAfterSeconds),
            'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
            'X-HubSpot-RateLimit-Max': '100',
            'X-HubSpot-RateLimit-Remaining': '0',
            'X-HubSpot-RateLimit-Secondly': '10',
            'X-HubSpot-RateLimit-Secondly-Remaining': '0',
            'X-HubSpot-RateLimit-Daily': '250000',
            'X-HubSpot-RateLimit-Daily-Remaining': '249000',
          },
        );
      case 'serverError':
        return json(status, errorBody('INTERNAL_ERROR', `Simulated HTTP ${status}`));
      case 'unauthorized':
        return unauthorized();
    }
  }

  handle(request: ProviderRequest): Reply {
    const match = /^\/crm\/v3\/objects\/([^/]{1,100})\/search$/.exec(request.path);
    if (!match)
      return json(
        404,
        errorBody('OBJECT_NOT_FOUND', `No route for ${request.method} ${request.path.slice(0, 200)}`),
      );
    if (request.method !== 'POST')
      return json(405, errorBody('VALIDATION_ERROR', `${request.method} is not supported`));
    const token = bearerToken(request.headers);
    if (token === null || !this.context.credentials.isValid('hubspot', token)) return unauthorized();
    const objectType = decodeURIComponent(match[1] ?? '');
    let raw: unknown;
    try {
      raw = JSON.parse(request.body || '{}');
    } catch {
      return json(400, errorBody('VALIDATION_ERROR', 'Invalid input JSON on line 1: the body is not JSON'));
    }
    const parsed = searchBodySchema.safeParse(raw);
    if (!parsed.success) {
      const message = parsed.error.issues
        .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
        .join('; ');
      return json(400, errorBody('VALIDATION_ERROR', `Invalid input: ${message}`));
    }
    const body = parsed.data;
    request.entry.summary = {
      operation: 'search',
      objectType,
      filterGroups: body.filterGroups ?? [],
      sorts: body.sorts ?? [],
      after: body.after ?? null,
      limit: body.limit ?? null,
    };
    const filterCount = (body.filterGroups ?? []).reduce((sum, group) => sum + group.filters.length, 0);
    if (filterCount > 18)
      return json(400, errorBody('VALIDATION_ERROR', 'The request has more than 18 filters.'));
    if (!['contacts', 'companies', 'deals', 'tickets'].includes(objectType)) {
      return json(
        400,
        errorBody('VALIDATION_ERROR', `Unable to infer object type from: ${objectType.slice(0, 100)}`),
      );
    }
    const modified = modifiedProperty(objectType);
    for (const group of body.filterGroups ?? []) {
      for (const filter of group.filters) {
        const problem = filterProblem(filter, modified);
        if (problem) return json(400, errorBody('VALIDATION_ERROR', problem));
      }
    }
    const after = Number(body.after ?? 0);
    const limit = body.limit ?? 10;
    if (after >= MAX_RESULTS) {
      return json(
        400,
        errorBody(
          'VALIDATION_ERROR',
          `The 'after' value of ${after} exceeds the maximum of ${MAX_RESULTS} results a search can page through.`,
        ),
      );
    }
    const collection = this.context.store.find('hubspot', objectType);
    const found = collection ? search(collection, body.filterGroups ?? [], body.sorts?.[0], modified) : [];
    const end = Math.min(found.length, after + limit, MAX_RESULTS);
    const properties = body.properties ?? DEFAULT_PROPERTIES[objectType] ?? [];
    const results = found.slice(after, end).map((record) => render(record, properties, modified));
    const answer: Record<string, unknown> = { total: found.length, results };
    if (end < Math.min(found.length, MAX_RESULTS)) answer['paging'] = { next: { after: String(end) } };
    return json(200, answer);
  }
}

function unauthorized(): Reply {
  return json(
    401,
    errorBody(
      'INVALID_AUTHENTICATION',
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    ),
  );
}

const DATE_PROPERTIES = (modified: string): string[] => [
  'createdate',
  modified,
  'lastmodifieddate',
  'hs_lastmodifieddate',
];

function filterProblem(filter: Filter, modified: string): string | null {
  const isDate = DATE_PROPERTIES(modified).includes(filter.propertyName);
  const needsValue: Operator[] = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN'];
  if (needsValue.includes(filter.operator) && filter.value === undefined) {
    return `There was a problem with the request: filter on '${filter.propertyName}' with operator ${filter.operator} needs a value.`;
  }
  if (filter.operator === 'BETWEEN' && filter.highValue === undefined) {
    return `There was a problem with the request: BETWEEN on '${filter.propertyName}' needs a highValue.`;
  }
  if ((filter.operator === 'IN' || filter.operator === 'NOT_IN') && filter.values === undefined) {
    return `There was a problem with the request: ${filter.operator} on '${filter.propertyName}' needs values.`;
  }
  if (isDate) {
    for (const value of [filter.value, filter.highValue, ...(filter.values ?? [])]) {
      if (value !== undefined && dateValue(value) === null) {
        return `${String(value).slice(0, 100)} is not a valid date for property '${filter.propertyName}' (epoch milliseconds or ISO-8601)`;
      }
    }
  }
  return null;
}

function property(record: SimRecord, name: string, modified: string): FieldValue {
  if (name === 'hs_object_id') return Number(record.id);
  if (name === 'createdate') return record.createdMs;
  if (name === modified) return record.updatedMs;
  return record.fields[name] ?? null;
}

function compare(left: FieldValue, right: FieldValue, isDate: boolean): number {
  if (isDate) return Number(left) - Number(right);
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  const a = String(left).toLowerCase();
  const b = String(right).toLowerCase();
  return a === b ? 0 : a < b ? -1 : 1;
}

/** A filter with its values converted once (dates to epoch ms), not per record. */
interface CompiledFilter {
  readonly name: string;
  readonly operator: Operator;
  readonly isDate: boolean;
  readonly value: FieldValue;
  readonly high: FieldValue;
  readonly values: FieldValue[];
}

function compileFilter(filter: Filter, modified: string): CompiledFilter {
  const isDate = DATE_PROPERTIES(modified).includes(filter.propertyName);
  const convert = (value: string | number | boolean | undefined): FieldValue =>
    value === undefined
      ? null
      : isDate
        ? dateValue(value)
        : typeof value === 'boolean'
          ? String(value)
          : value;
  return {
    name: filter.propertyName,
    operator: filter.operator,
    isDate,
    value: convert(filter.value),
    high: convert(filter.highValue),
    values: (filter.values ?? []).map(convert),
  };
}

function filterMatches(record: SimRecord, filter: CompiledFilter, modified: string): boolean {
  const { isDate } = filter;
  const actual = property(record, filter.name, modified);
  if (filter.operator === 'HAS_PROPERTY') return actual !== null && actual !== '';
  if (filter.operator === 'NOT_HAS_PROPERTY') return actual === null || actual === '';
  if (filter.operator === 'IN' || filter.operator === 'NOT_IN') {
    const found = actual !== null && filter.values.some((value) => compare(actual, value, isDate) === 0);
    return filter.operator === 'IN' ? found : !found;
  }
  if (actual === null) return filter.operator === 'NEQ';
  const order = compare(actual, filter.value, isDate);
  switch (filter.operator) {
    case 'EQ':
      return order === 0;
    case 'NEQ':
      return order !== 0;
    case 'LT':
      return order < 0;
    case 'LTE':
      return order <= 0;
    case 'GT':
      return order > 0;
    case 'GTE':
      return order >= 0;
    case 'BETWEEN':
      return order >= 0 && compare(actual, filter.high, isDate) <= 0;
    default:
      return false;
  }
}

type Sort = z.infer<typeof sortSchema>;

function search(
  collection: Collection,
  groups: { filters: Filter[] }[],
  sort: Sort | undefined,
  modified: string,
): SimRecord[] {
  const all = collection.all();
  const compiled = groups.map((group) => group.filters.map((filter) => compileFilter(filter, modified)));
  // One group with a lower bound on the modified date: start there (the index is by modified date).
  let start = 0;
  if (groups.length === 1) {
    for (const filter of groups[0]?.filters ?? []) {
      if (filter.propertyName !== modified) continue;
      const ms = dateValue(filter.value);
      if (ms === null) continue;
      if (filter.operator === 'GT') start = Math.max(start, collection.lowerBound(ms, false));
      if (['GTE', 'EQ', 'BETWEEN'].includes(filter.operator))
        start = Math.max(start, collection.lowerBound(ms, true));
    }
  }
  const found: SimRecord[] = [];
  for (let index = start; index < all.length; index++) {
    const record = all[index];
    if (!record) continue;
    if (
      groups.length === 0 ||
      compiled.some((filters) => filters.every((filter) => filterMatches(record, filter, modified)))
    ) {
      found.push(record);
    }
  }
  const [name, descending] =
    sort === undefined
      ? ['hs_object_id', false]
      : typeof sort === 'string'
        ? [sort.replace(/^-/, ''), sort.startsWith('-')]
        : [sort.propertyName, sort.direction === 'DESCENDING'];
  if (name === modified && !descending) return found;
  const isDate = DATE_PROPERTIES(modified).includes(name);
  return found.sort((a, b) => {
    const left = property(a, name, modified);
    const right = property(b, name, modified);
    const order = left === right ? 0 : left === null ? -1 : right === null ? 1 : compare(left, right, isDate);
    return (descending ? -order : order) || a.seq - b.seq;
  });
}

function render(record: SimRecord, properties: string[], modified: string): Record<string, unknown> {
  const created = new Date(record.createdMs).toISOString();
  const updated = new Date(record.updatedMs).toISOString();
  const rendered: Record<string, string | null> = {
    createdate: created,
    hs_object_id: record.id,
    [modified]: updated,
  };
  for (const name of properties) {
    if (name in rendered) continue;
    const value = property(record, name, modified);
    rendered[name] = value === null ? null : String(value);
  }
  return { id: record.id, properties: rendered, createdAt: created, updatedAt: updated, archived: false };
}
