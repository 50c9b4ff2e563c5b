import { z } from 'zod';
import { faultBodySchema, isoInstantSchema, logQueryShape } from '@pollcast/tool-process';
import { FAULT_KINDS } from './faults';
import { PROVIDERS } from './records';

/** Bodies of the /_sim control API. Every field is named in validation errors. */
const isoInstant = isoInstantSchema;
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

export const faultSpecBodySchema = faultBodySchema(FAULT_KINDS, {
  rateLimit: [403, 429],
  serverError: [500, 502, 503, 504],
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

export const changesQuerySchema = z.strictObject({
  ...logQueryShape,
  provider: provider.optional(),
  collection: collection.optional(),
});
