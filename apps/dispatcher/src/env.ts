import { z } from 'zod';
import { SENSITIVE, baseEnvSchema, envSchemas } from '@pollcast/service-kit';

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const envSchema = baseEnvSchema.extend({
  PORT: envSchemas.port.default(3003),
  INSTANCE_SERVICE_URL: z
    .url({ protocol: /^https?$/ })
    .describe('Base URL of instance-service (internal API)'),
  POLLCAST_SERVICE_TOKEN: z.string().min(16).describe(SENSITIVE),
  DISPATCHER_CONCURRENCY: positiveInt(64).describe('Callbacks in flight per replica'),
  DISPATCHER_ENDPOINT_CONCURRENCY: positiveInt(8).describe('Callbacks in flight per endpoint origin'),
  DISPATCHER_CONNECT_TIMEOUT_MS: positiveInt(5000),
  DISPATCHER_TIMEOUT_MS: positiveInt(15000).describe('Total time of one attempt'),
  DISPATCHER_MAX_RETRIES: z.coerce.number().int().min(0).max(100).default(9),
  DISPATCHER_RETRY_INITIAL_MS: positiveInt(6000).describe('Nominal delay before the first retry'),
  DISPATCHER_RETRY_MULTIPLIER: z.coerce.number().min(1).max(100).default(4),
  DISPATCHER_RETRY_MAX_DELAY_MS: positiveInt(7 * 24 * 3600 * 1000),
  DISPATCHER_RETRY_AFTER_MAX_MS: positiveInt(24 * 3600 * 1000).describe('Cap on a Retry-After honoured'),
  DISPATCHER_BREAKER_FAILURES: positiveInt(5).describe('Consecutive failures that open an endpoint circuit'),
  DISPATCHER_BREAKER_OPEN_MS: positiveInt(30000),
  DISPATCHER_POLL_INTERVAL_MS: positiveInt(250).describe('How often a replica looks for due retries'),
  DISPATCHER_CLAIM_BATCH: positiveInt(200),
  DISPATCHER_DELIVERY_CACHE_MS: z.coerce.number().int().min(0).default(30000).describe('Signature key cache'),
  DISPATCHER_RESPONSE_BODY_LIMIT: z.coerce.number().int().min(0).max(65536).default(2048),
  DISPATCHER_EVENTS_PARTITIONS_CONCURRENTLY: positiveInt(3),
  DISPATCHER_HISTORY_RETENTION_DAYS: positiveInt(30).describe(
    'Delivered and failed notifications, their attempts and events are kept this long (replay horizon)',
  ),
  DISPATCHER_PRUNE_INTERVAL_SECONDS: positiveInt(3600),
});
export type Env = z.infer<typeof envSchema>;
