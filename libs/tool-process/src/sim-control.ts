// The part of the /_sim control API both simulators have: reading a JSON body, the clock, the faults,
// the request log and the OAuth clients and tokens. Each simulator routes its own resources first and
// hands the rest to `sharedControlRoute`.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { SimClock } from './clock';
import { isReply, validate, validationError } from './control-body';
import type { FaultInjector, FaultSpec } from './faults';
import { json, readBody, type Reply } from './http-reply';
import type { OAuthServer } from './oauth';
import type { RequestLog } from './request-log';

export const isoInstantSchema = z.iso.datetime({ offset: true });

export const clockAdvanceBodySchema = z
  .strictObject({ ms: z.number().int().optional(), seconds: z.number().optional() })
  .refine((body) => (body.ms === undefined) !== (body.seconds === undefined), {
    message: 'give exactly one of ms or seconds',
    path: ['ms'],
  });
export const clockFreezeBodySchema = z.strictObject({ at: isoInstantSchema.optional() });
export const clockSetBodySchema = z.strictObject({ at: isoInstantSchema });

export const oauthClientBodySchema = z.strictObject({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
});
export const oauthTokenBodySchema = z.strictObject({
  clientId: z.string().min(1).optional(),
  accessTokenTtlSeconds: z.number().int().min(1).optional(),
});
export const oauthRevokeBodySchema = z
  .strictObject({
    token: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    all: z.boolean().optional(),
  })
  .refine((body) => body.token !== undefined || body.clientId !== undefined || body.all === true, {
    message: 'give token, clientId or all: true',
    path: ['token'],
  });

const nonNegativeIntegerParam = z.coerce.number().int().min(0);
/** `?since=&limit=` of the logs; each simulator adds its own filters. */
export const logQueryShape = {
  since: nonNegativeIntegerParam.optional(),
  limit: nonNegativeIntegerParam.optional(),
};
const requestsQuerySchema = z.strictObject({ ...logQueryShape, path: z.string().optional() });

/**
 * A fault spec body: `kind` one of `kinds`; `status` only where `statuses` allows it (per kind);
 * `retryAfterSeconds` only for rateLimit, `delayMs` (required) for slow, `holdMs` for timeout.
 */
export function faultBodySchema<K extends string>(
  kinds: readonly [K, ...K[]],
  statuses: Partial<Record<K, readonly number[]>>,
): z.ZodType<FaultSpec<K>> {
  const allowed = (kind: K): readonly number[] => statuses[kind] ?? [];
  return z
    .strictObject({
      kind: z.enum(kinds),
      path: z.string().startsWith('/').max(1000).optional(),
      count: z.number().int().min(1).optional(),
      durationMs: z.number().int().min(1).optional(),
      status: z.number().int().optional(),
      retryAfterSeconds: z.number().int().min(0).optional(),
      delayMs: z.number().int().min(1).max(600_000).optional(),
      holdMs: z.number().int().min(1).max(3_600_000).optional(),
    })
    .superRefine((body, context) => {
      const onlyFor: ['retryAfterSeconds' | 'delayMs' | 'holdMs', string][] = [
        ['retryAfterSeconds', 'rateLimit'],
        ['delayMs', 'slow'],
        ['holdMs', 'timeout'],
      ];
      for (const [field, kind] of onlyFor) {
        if (body[field] !== undefined && body.kind !== kind) {
          context.addIssue({ code: 'custom', path: [field], message: `only applies to kind '${kind}'` });
        }
      }
      if (body.status !== undefined && !allowed(body.kind).includes(body.status)) {
        const rules = (Object.entries(statuses) as [string, number[]][])
          .map(([kind, codes]) => `${kind}: ${codes.join(', ')}`)
          .join('; ');
        context.addIssue({ code: 'custom', path: ['status'], message: `allowed: ${rules}` });
      }
      if (body.kind === 'slow' && body.delayMs === undefined) {
        context.addIssue({ code: 'custom', path: ['delayMs'], message: "required for kind 'slow'" });
      }
    });
}

/** The request body as JSON (`{}` when empty), or the 413 / 400 reply. */
export async function readControlBody(request: IncomingMessage): Promise<{ parsed: unknown } | Reply> {
  let raw: string;
  try {
    raw = await readBody(request);
  } catch {
    return json(413, { error: 'body_too_large', message: 'request body over 10 MB' });
  }
  if (raw.trim().length === 0) return { parsed: {} };
  try {
    return { parsed: JSON.parse(raw) as unknown };
  } catch {
    return json(400, { error: 'invalid_json', message: 'request body is not valid JSON' });
  }
}

export interface SharedControlParts<K extends string> {
  readonly clock: SimClock;
  readonly faults: FaultInjector<K>;
  readonly requests: RequestLog;
  readonly oauth: OAuthServer;
  readonly faultSchema: z.ZodType<FaultSpec<K>>;
}

/**
 * `route` is "<METHOD> <area>[/<action>]" (e.g. "POST clock/advance", "DELETE faults/*" with `id`).
 * Null when the route is not a shared one.
 */
export function sharedControlRoute<K extends string>(
  parts: SharedControlParts<K>,
  route: string,
  body: unknown,
  query: URLSearchParams,
  id?: string,
): Reply | null {
  const { clock, faults, requests, oauth } = parts;
  switch (route) {
    case 'GET clock':
      return json(200, clock.state());
    case 'POST clock/advance': {
      const parsed = validate(clockAdvanceBodySchema, body);
      if (isReply(parsed)) return parsed;
      clock.advance(parsed.ms ?? Math.round((parsed.seconds ?? 0) * 1000));
      return json(200, clock.state());
    }
    case 'POST clock/freeze': {
      const parsed = validate(clockFreezeBodySchema, body);
      if (isReply(parsed)) return parsed;
      clock.freeze(parsed.at === undefined ? undefined : new Date(parsed.at));
      return json(200, clock.state());
    }
    case 'POST clock/unfreeze':
      clock.unfreeze();
      return json(200, clock.state());
    case 'POST clock/set': {
      const parsed = validate(clockSetBodySchema, body);
      if (isReply(parsed)) return parsed;
      clock.set(new Date(parsed.at));
      return json(200, clock.state());
    }
    case 'GET faults':
      return json(200, { faults: faults.list() });
    case 'POST faults': {
      const parsed = validate(parts.faultSchema, body);
      if (isReply(parsed)) return parsed;
      return json(201, faults.add(parsed));
    }
    case 'DELETE faults':
      faults.clear();
      return json(200, { cleared: true });
    case 'DELETE faults/*':
      return faults.remove(id ?? '')
        ? json(200, { removed: id })
        : json(404, { error: 'not_found', message: `no fault '${id ?? ''}'` });
    case 'GET requests': {
      const parsed = validate(requestsQuerySchema, Object.fromEntries(query));
      if (isReply(parsed)) return parsed;
      return json(200, { requests: requests.list(parsed) });
    }
    case 'DELETE requests':
      requests.clear();
      return json(200, { cleared: true });
    case 'GET oauth/clients':
      return json(200, { clients: oauth.clientIds().map((clientId) => ({ clientId })) });
    case 'POST oauth/clients': {
      const parsed = validate(oauthClientBodySchema, body);
      if (isReply(parsed)) return parsed;
      oauth.registerClient(parsed.clientId, parsed.clientSecret);
      return json(201, { clientId: parsed.clientId });
    }
    case 'POST oauth/revoke': {
      const parsed = validate(oauthRevokeBodySchema, body);
      if (isReply(parsed)) return parsed;
      if (parsed.token !== undefined) {
        const revoked = oauth.revoke(parsed.token);
        return revoked ? json(200, { revoked }) : json(404, { error: 'not_found', message: 'unknown token' });
      }
      return json(200, { revoked: oauth.revokeAll(parsed.all === true ? undefined : parsed.clientId) });
    }
    case 'POST oauth/expire':
      return json(200, { expired: oauth.expireAccessTokens() });
    default:
      return null;
  }
}

/** The client id a POST /_sim/oauth/tokens body names (default: the first client), or a 400 naming it. */
export function tokenClientId(oauth: OAuthServer, clientId: string | undefined): string | Reply {
  const chosen = clientId ?? oauth.clientIds()[0] ?? '';
  return oauth.clientIds().includes(chosen)
    ? chosen
    : validationError('clientId', `unknown client '${chosen}'`);
}
