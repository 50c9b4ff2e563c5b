import { z } from 'zod';
import { baseEnvSchema, envSchemas } from '@pollcast/service-kit';

export const envSchema = baseEnvSchema.extend({
  PORT: envSchemas.port.default(3002),
  NORMALIZER_GROUP_ID: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Consumer group of the raw-changes consumer (default: POLLCAST_TOPIC_PREFIX + "pollcast-normalizer")',
    ),
  NORMALIZER_PARTITIONS_CONCURRENTLY: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('Partitions this replica processes at the same time'),
  NORMALIZER_MAX_EVENT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1_000_000)
    .describe(
      "Largest serialized event; larger ones go to the DLQ (keep it under the topic's max.message.bytes)",
    ),
});
export type Env = z.infer<typeof envSchema>;
