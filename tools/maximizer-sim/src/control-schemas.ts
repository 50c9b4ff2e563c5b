import { z } from 'zod';
import { FAULT_KINDS } from './faults';
import { SEED_MIX_KINDS } from './seed';

/** Bodies of the /_sim control API. Every field is named in validation errors. */
const isoInstant = z.iso.datetime({ offset: true });

export const seedBodySchema = z.strictObject({
  count: z.number().int().min(1).max(5_000_000),
  seed: z.number().int().optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  mix: z
    .strictObject(Object.fromEntries(SEED_MIX_KINDS.map((kind) => [kind, z.number().min(0).optional()])))
    .optional(),
  logChanges: z.boolean().optional(),
});

export const clockAdvanceBodySchema = z
  .strictObject({ ms: z.number().int().optional(), seconds: z.number().optional() })
  .refine((body) => (body.ms === undefined) !== (body.seconds === undefined), {
    message: 'give exactly one of ms or seconds',
    path: ['ms'],
  });

export const clockFreezeBodySchema = z.strictObject({ at: isoInstant.optional() });
export const clockSetBodySchema = z.strictObject({ at: isoInstant });

export const faultBodySchema = z
  .strictObject({
    kind: z.enum(FAULT_KINDS),
    path: z.string().startsWith('/').optional(),
    count: z.number().int().min(1).optional(),
    durationMs: z.number().int().min(1).optional(),
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
    delayMs: z.number().int().min(1).max(600_000).optional(),
    holdMs: z.number().int().min(1).max(3_600_000).optional(),
  })
  .superRefine((body, context) => {
    const onlyFor: [keyof typeof body, string][] = [
      ['status', 'serverError'],
      ['retryAfterSeconds', 'rateLimit'],
      ['delayMs', 'slow'],
      ['holdMs', 'timeout'],
    ];
    for (const [field, kind] of onlyFor) {
      if (body[field] !== undefined && body.kind !== kind) {
        context.addIssue({ code: 'custom', path: [field], message: `only applies to kind '${kind}'` });
      }
    }
    if (body.kind === 'slow' && body.delayMs === undefined) {
      context.addIssue({ code: 'custom', path: ['delayMs'], message: "required for kind 'slow'" });
    }
  });

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

export const recordBodySchema = z.record(z.string(), z.unknown());

const nonNegativeIntegerParam = z.coerce.number().int().min(0);
export const listQuerySchema = z.strictObject({
  since: nonNegativeIntegerParam.optional(),
  limit: nonNegativeIntegerParam.optional(),
  path: z.string().optional(),
  entity: z.enum(['AbEntry', 'Opportunity']).optional(),
});
