import { z } from 'zod';
import { FAULT_KINDS } from './faults';
import { PROVIDERS } from './records';

/** Bodies of the /_sim control API. Every field is named in validation errors. */
const isoInstant = z.iso.datetime({ offset: true });
const provider = z.enum(PROVIDERS);
const collection = z.string().min(1).max(200);
const fieldValue = z.union([z.string().max(100_000), z.number(), z.boolean(), z.null()]);
export const fieldsSchema = z.record(z.string().min(1).max(200), fieldValue);

export const seedBodySchema = z.strictObject({
  provider,
  collection,
  count: z.number().int().min(1).max(1_000_000),
  seed: z.number().int().optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
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
    path: z.string().startsWith('/').max(1000).optional(),
    count: z.number().int().min(1).optional(),
    durationMs: z.number().int().min(1).optional(),
    status: z
      .union([z.literal(403), z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)])
      .optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
    delayMs: z.number().int().min(1).max(600_000).optional(),
    holdMs: z.number().int().min(1).max(3_600_000).optional(),
  })
  .superRefine((body, context) => {
    const onlyFor: [keyof typeof body, string][] = [
      ['retryAfterSeconds', 'rateLimit'],
      ['delayMs', 'slow'],
      ['holdMs', 'timeout'],
    ];
    for (const [field, kind] of onlyFor) {
      if (body[field] !== undefined && body.kind !== kind) {
        context.addIssue({ code: 'custom', path: [field], message: `only applies to kind '${kind}'` });
      }
    }
    if (body.status !== undefined) {
      const allowed =
        body.kind === 'rateLimit' ? [403, 429] : body.kind === 'serverError' ? [500, 502, 503, 504] : [];
      if (!allowed.includes(body.status)) {
        context.addIssue({
          code: 'custom',
          path: ['status'],
          message: 'rateLimit takes 403 or 429, serverError 500, 502, 503 or 504; other kinds none',
        });
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

const tokenProvider = z.enum(['hubspot', 'github', 'zendesk']);
export const credentialBodySchema = z.union([
  z.strictObject({ provider: z.enum(['hubspot', 'github']), token: z.string().min(1).max(4096) }),
  z.strictObject({
    provider: z.literal('zendesk'),
    email: z.string().min(3).max(320),
    apiToken: z.string().min(1).max(4096),
  }),
]);
export const credentialRevokeBodySchema = z.strictObject({
  provider: tokenProvider,
  /** Zendesk: `email/token:apitoken`. Without it, every credential of the provider. */
  token: z.string().min(1).max(4096).optional(),
});

export const githubRateLimitBodySchema = z.strictObject({
  limit: z.number().int().min(0).max(1_000_000),
  remaining: z.number().int().min(0).max(1_000_000).optional(),
});

const nonNegativeIntegerParam = z.coerce.number().int().min(0);
export const listQuerySchema = z.strictObject({
  since: nonNegativeIntegerParam.optional(),
  limit: nonNegativeIntegerParam.optional(),
  path: z.string().optional(),
  provider: provider.optional(),
  collection: collection.optional(),
});
