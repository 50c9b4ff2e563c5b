// The /_sim control API: seed and edit records, move the clock, inject faults, read the request and
// change logs, manage Salesforce OAuth clients and tokens, the other providers' credentials and
// GitHub's rate limit, reset. Every body is validated (zod); a bad one is a 400 naming the field.
import type { IncomingMessage } from 'node:http';
import {
  isReply,
  json,
  oauthTokenBodySchema,
  readControlBody,
  type Reply,
  sharedControlRoute,
  tokenClientId,
  validate,
  validationError,
} from '@pollcast/tool-process';
import {
  changesQuerySchema,
  credentialBodySchema,
  credentialRevokeBodySchema,
  faultSpecBodySchema,
  fieldsSchema,
  githubRateLimitBodySchema,
  seedBodySchema,
} from './control-schemas';
import { zendeskToken } from './credentials';
import type { GitHubProvider } from './providers/github';
import type { SalesforceProvider } from './providers/salesforce';
import { PROVIDERS, type ProviderName, RecordError, type SimRecord } from './records';
import type { SimulatorParts } from './simulator-parts';

const CONTROL_ENDPOINTS = [
  'GET /_sim',
  'GET /_sim/stats',
  'POST /_sim/reset',
  'POST /_sim/seed',
  'GET /_sim/collections',
  'POST /_sim/records/{provider}/{collection}',
  'GET|PATCH|DELETE /_sim/records/{provider}/{collection}/{id}',
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
  'POST /_sim/credentials',
  'POST /_sim/credentials/revoke',
  'POST /_sim/github/rate-limit',
];

/** A record as the control API shows it (provider-neutral). */
export interface RecordView {
  provider: ProviderName;
  collection: string;
  id: string;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
  fields: SimRecord['fields'];
}

export function recordView(provider: ProviderName, collection: string, record: SimRecord): RecordView {
  return {
    provider,
    collection,
    id: record.id,
    createdAt: new Date(record.createdMs).toISOString(),
    updatedAt: new Date(record.updatedMs).toISOString(),
    deleted: record.deleted,
    fields: record.fields,
  };
}

export class ControlApi {
  constructor(
    private readonly parts: SimulatorParts,
    private readonly providers: { salesforce: SalesforceProvider; github: GitHubProvider },
    private readonly reset: () => void,
  ) {}

  async handle(
    request: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
  ): Promise<Reply> {
    const read = await readControlBody(request);
    if (!('parsed' in read)) return read;
    const body = read.parsed;
    try {
      return this.route(method, path.replace(/\/+$/, ''), body, query);
    } catch (error) {
      if (error instanceof RecordError) {
        return json(error.status, {
          error: error.status === 404 ? 'not_found' : 'invalid_record',
          message: error.message,
        });
      }
      if (error instanceof URIError) return validationError('path', 'malformed percent-encoding');
      throw error;
    }
  }

  private route(method: string, path: string, body: unknown, query: URLSearchParams): Reply {
    const segments = path
      .split('/')
      .slice(2)
      .map((segment) => decodeURIComponent(segment));
    const [area = '', ...rest] = segments;
    const { clock, store, oauth, faults, credentials } = this.parts;
    if (area === 'records') return this.records(method, rest, body);
    const route = `${method} ${[area, ...rest.map((segment, index) => (area === 'faults' && index === 0 ? '*' : segment))].join('/')}`;
    switch (route) {
      case 'GET ':
        return json(200, { endpoints: CONTROL_ENDPOINTS });
      case 'GET stats':
        return json(200, {
          records: store.count(),
          collections: store.list(),
          clock: clock.state(),
          faults: faults.list().length,
        });
      case 'POST reset':
        this.reset();
        return json(200, { reset: true });
      case 'POST seed': {
        const parsed = validate(seedBodySchema, body);
        if (isReply(parsed)) return parsed;
        return json(
          200,
          store.seed(parsed.provider, parsed.collection, {
            count: parsed.count,
            ...(parsed.seed !== undefined ? { seed: parsed.seed } : {}),
            ...(parsed.from !== undefined ? { from: new Date(parsed.from) } : {}),
            ...(parsed.to !== undefined ? { to: new Date(parsed.to) } : {}),
            ...(parsed.logChanges !== undefined ? { logChanges: parsed.logChanges } : {}),
          }),
        );
      }
      case 'GET collections':
        return json(200, { collections: store.list() });
      case 'GET changes': {
        const parsed = validate(changesQuerySchema, Object.fromEntries(query));
        if (isReply(parsed)) return parsed;
        return json(200, { changes: store.changes(parsed) });
      }
      case 'DELETE changes':
        store.clearChanges();
        return json(200, { cleared: true });
      case 'POST oauth/tokens': {
        const parsed = validate(oauthTokenBodySchema, body);
        if (isReply(parsed)) return parsed;
        const clientId = tokenClientId(oauth, parsed.clientId);
        if (isReply(clientId)) return clientId;
        const issued = oauth.issueTokens(clientId, parsed.accessTokenTtlSeconds);
        return json(201, {
          ...this.providers.salesforce.tokenResponse(issued),
          expires_in: issued.expires_in,
        });
      }
      case 'POST credentials': {
        const parsed = validate(credentialBodySchema, body);
        if (isReply(parsed)) return parsed;
        const token =
          parsed.provider === 'zendesk' ? zendeskToken(parsed.email, parsed.apiToken) : parsed.token;
        credentials.add(parsed.provider, token);
        return json(201, { provider: parsed.provider, credentials: credentials.count(parsed.provider) });
      }
      case 'POST credentials/revoke': {
        const parsed = validate(credentialRevokeBodySchema, body);
        if (isReply(parsed)) return parsed;
        return json(200, { revoked: credentials.revoke(parsed.provider, parsed.token) });
      }
      case 'POST github/rate-limit': {
        const parsed = validate(githubRateLimitBodySchema, body);
        if (isReply(parsed)) return parsed;
        return json(200, this.providers.github.setRateLimit(parsed));
      }
      default:
        return (
          sharedControlRoute(
            { ...this.parts, faultSchema: faultSpecBodySchema },
            route,
            body,
            query,
            rest[0],
          ) ??
          json(404, {
            error: 'not_found',
            message: `no control endpoint ${method} ${path} (GET /_sim lists them)`,
          })
        );
    }
  }

  /** /_sim/records/{provider}/{collection}[/{id}] — the collection URL-encoded (GitHub's has a slash). */
  private records(method: string, rest: string[], body: unknown): Reply {
    const [providerName = '', collection, id, ...extra] = rest;
    if (!isProvider(providerName))
      return validationError(
        'provider',
        `unknown provider '${providerName}' (expected ${PROVIDERS.join(', ')})`,
      );
    if (collection === undefined || extra.length > 0) {
      return json(404, { error: 'not_found', message: 'use /_sim/records/{provider}/{collection}[/{id}]' });
    }
    const { store } = this.parts;
    const fields = (): ReturnType<typeof validate<typeof fieldsSchema>> => validate(fieldsSchema, body);
    if (id === undefined) {
      if (method !== 'POST')
        return json(405, { error: 'method_not_allowed', message: 'POST creates a record' });
      const parsed = fields();
      if (isReply(parsed)) return parsed;
      return json(201, recordView(providerName, collection, store.create(providerName, collection, parsed)));
    }
    switch (method) {
      case 'GET': {
        const record = store.find(providerName, collection)?.get(id);
        return record
          ? json(200, recordView(providerName, collection, record))
          : json(404, { error: 'not_found', message: `${providerName} ${collection}: no record '${id}'` });
      }
      case 'PATCH': {
        const parsed = fields();
        if (isReply(parsed)) return parsed;
        return json(
          200,
          recordView(providerName, collection, store.update(providerName, collection, id, parsed)),
        );
      }
      case 'DELETE':
        return json(200, recordView(providerName, collection, store.delete(providerName, collection, id)));
      default:
        return json(405, { error: 'method_not_allowed', message: 'GET, PATCH or DELETE' });
    }
  }
}

function isProvider(name: string): name is ProviderName {
  return (PROVIDERS as readonly string[]).includes(name);
}
