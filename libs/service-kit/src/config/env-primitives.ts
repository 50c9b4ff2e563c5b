import { z } from 'zod';

// Shared by env.ts and the env fragments that live beside their code (kafka-security.ts,
// management-server.ts), which env.ts spreads into baseEnvSchema: a file of its own avoids an import cycle.
/** A variable whose value must never be logged or echoed (its schema carries this in its description). */
export const SENSITIVE = '[sensitive]';

export const port = z.coerce.number().int().min(0).max(65535);
export const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
