import { z } from 'zod';
import { faultBodySchema, isoInstantSchema, logQueryShape } from '@pollcast/tool-process';
import { FAULT_KINDS } from './faults';
import { SEED_MIX_KINDS } from './seed';

/** Bodies of the /_sim control API. Every field is named in validation errors. */
const isoInstant = isoInstantSchema;

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

export const faultSpecBodySchema = faultBodySchema(FAULT_KINDS, { serverError: [500, 502, 503, 504] });

export const recordBodySchema = z.record(z.string(), z.unknown());

export const listQuerySchema = z.strictObject({
  ...logQueryShape,
  path: z.string().optional(),
  entity: z.enum(['AbEntry', 'Opportunity']).optional(),
});
