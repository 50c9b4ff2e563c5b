// The /_sim control API: seed and edit records, move the clock, inject faults, read the request and
// change logs, manage OAuth clients and tokens, reset. Every body is validated (zod); a bad one is a
// 400 naming the field.
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import {
  isReply,
  json,
  readBody,
  validate,
  validationError,
  type OAuthServer,
  type Reply,
  type RequestLog,
  type SimClock,
} from '@pollcast/tool-process';
import {
  clockAdvanceBodySchema,
  clockFreezeBodySchema,
  clockSetBodySchema,
  faultBodySchema,
  listQuerySchema,
  oauthClientBodySchema,
  oauthRevokeBodySchema,
  oauthTokenBodySchema,
  recordBodySchema,
  seedBodySchema,
} from './control-schemas';
import type { DateRenderer } from './dates';
import { type EntityName, isEntityName } from './entities';
import type { FaultInjector } from './faults';
import { OctopusError, RecordNotFoundError } from './query';
import type { SimulatorParts } from './simulator-parts';
import type { RecordStore } from './store';

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

export class ControlApi {
  private readonly clock: SimClock;
  private readonly dates: DateRenderer;
  private readonly store: RecordStore;
  private readonly oauth: OAuthServer;
  private readonly faults: FaultInjector;
  private readonly requests: RequestLog;

  /** @param reset the whole simulator's reset (POST /_sim/reset). */
  constructor(
    parts: SimulatorParts,
    private readonly reset: () => void,
  ) {
    this.clock = parts.clock;
    this.dates = parts.dates;
    this.store = parts.store;
    this.oauth = parts.oauth;
    this.faults = parts.faults;
    this.requests = parts.requests;
  }

  async handle(
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

function requireEntity(name: string | undefined): EntityName | Reply {
  if (name !== undefined && isEntityName(name)) return name;
  return validationError('entity', `unknown entity '${name ?? ''}' (expected AbEntry or Opportunity)`);
}
