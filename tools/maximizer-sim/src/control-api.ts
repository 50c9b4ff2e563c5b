// The /_sim control API: seed and edit records, move the clock, inject faults, read the request and
// change logs, manage OAuth clients and tokens, reset. Every body is validated (zod); a bad one is a
// 400 naming the field.
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import {
  isReply,
  json,
  type OAuthServer,
  oauthTokenBodySchema,
  readControlBody,
  type Reply,
  type RequestLog,
  type SimClock,
  sharedControlRoute,
  tokenClientId,
  validate,
  validationError,
} from '@pollcast/tool-process';
import { faultSpecBodySchema, listQuerySchema, recordBodySchema, seedBodySchema } from './control-schemas';
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
    const read = await readControlBody(request);
    if (!('parsed' in read)) return read;
    const body = read.parsed;
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
    const key = `${method} ${area ?? ''}${first === undefined ? '' : '/' + (area === 'records' || area === 'faults' ? '*' : first)}${second === undefined ? '' : '/*'}`;
    switch (key) {
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
      case 'GET changes': {
        const parsed = listQuery();
        if (isReply(parsed)) return parsed;
        return json(200, { changes: this.store.changes(parsed) });
      }
      case 'DELETE changes':
        this.store.clearChanges();
        return json(200, { cleared: true });
      case 'POST oauth/tokens': {
        const parsed = validate(oauthTokenBodySchema, body);
        if (isReply(parsed)) return parsed;
        const clientId = tokenClientId(this.oauth, parsed.clientId);
        if (isReply(clientId)) return clientId;
        return json(201, this.oauth.issueTokens(clientId, parsed.accessTokenTtlSeconds));
      }
      default:
        return (
          sharedControlRoute(
            {
              clock: this.clock,
              faults: this.faults,
              requests: this.requests,
              oauth: this.oauth,
              faultSchema: faultSpecBodySchema,
            },
            key,
            body,
            query,
            first,
          ) ??
          json(404, {
            error: 'not_found',
            message: `no control endpoint ${method} ${path} (GET /_sim lists them)`,
          })
        );
    }
  }
}

function requireEntity(name: string | undefined): EntityName | Reply {
  if (name !== undefined && isEntityName(name)) return name;
  return validationError('entity', `unknown entity '${name ?? ''}' (expected AbEntry or Opportunity)`);
}
