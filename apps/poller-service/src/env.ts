import { z } from 'zod';
import { baseEnvSchema, envSchemas, SENSITIVE } from '@pollcast/service-kit';

const seconds = z.coerce.number().min(0);
const positiveInt = z.coerce.number().int().min(1);

export const envSchema = baseEnvSchema.extend({
  PORT: envSchemas.port.default(3001),
  INSTANCE_SERVICE_URL: z
    .url({ protocol: /^https?$/ })
    .describe('Base URL of instance-service (internal API: access tokens, tenant verification)'),
  POLLCAST_SERVICE_TOKEN: z.string().min(16).describe(SENSITIVE),
  /** `seconds` makes `event.poller.refresh_interval` count seconds: tests and the demo only. */
  POLLER_INTERVAL_UNIT: z.enum(['minutes', 'seconds']).default('minutes'),
  POLLER_CONCURRENCY: positiveInt.max(1000).default(50).describe('Polls in flight per replica'),
  POLLER_CLAIM_INTERVAL_MS: positiveInt
    .max(60000)
    .default(100)
    .describe('How often idle replicas look for due polls'),
  POLLER_LEASE_SECONDS: positiveInt
    .max(3600)
    .default(60)
    .describe('A crashed replica’s polls are retaken after this'),
  POLLER_START_JITTER_SECONDS: seconds
    .max(86400)
    .default(60)
    .describe('A new or re-enabled resource first polls within this (capped by its interval)'),
  POLLER_OVERLAP_SECONDS: seconds
    .max(3600)
    .default(5)
    .describe('Each window re-reads this much before the watermark (second-precision provider dates)'),
  POLLER_FIRST_POLL_LOOKBACK_SECONDS: seconds
    .max(86400)
    .default(900)
    .describe('How far back (at most) a new resource’s first window reaches towards the instance creation'),
  POLLER_DATE_ZONE: z.string().min(1).default('GMT').describe('Zone of ${date:…} placeholders'),
  POLLER_RATE_LIMIT_PER_SECOND: z.coerce
    .number()
    .positive()
    .default(10)
    .describe('Provider requests per instance and replica, polls and reconciliations together'),
  POLLER_RATE_LIMIT_BURST: positiveInt.default(10),
  POLLER_PAGE_RETRIES: z.coerce.number().int().min(0).max(20).default(3),
  POLLER_PAGE_RETRY_BASE_MS: positiveInt.default(500),
  POLLER_MAX_IN_POLL_WAIT_MS: positiveInt
    .default(30000)
    .describe('Longer Retry-After / backoff waits end the poll and reschedule it instead'),
  POLLER_FAILURE_BACKOFF_BASE_SECONDS: seconds.default(10),
  POLLER_FAILURE_BACKOFF_MAX_SECONDS: seconds
    .default(300)
    .describe('The capped retry rate of failing resources'),
  POLLER_ERROR_AFTER_FAILURES: positiveInt
    .default(5)
    .describe('Consecutive failures before a resource shows as error'),
  POLLER_PROVIDER_TIMEOUT_MS: positiveInt.default(30000),
  POLLER_MAX_PAGES_PER_POLL: positiveInt.default(10000),
  POLLER_UNCHANGED_MEMORY_RECORDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000_000)
    .default(200_000)
    .describe(
      'Records remembered (over all resources) so a window re-reading its overlap does not publish them again; 0: off',
    ),
  POLLER_RECONCILIATION_CONCURRENCY: positiveInt
    .max(100)
    .default(2)
    .describe('Reconciliations in flight per replica (besides POLLER_CONCURRENCY polls)'),
  POLLER_MAX_PAGES_PER_RECONCILIATION: positiveInt
    .default(100000)
    .describe('Pages of ids one reconciliation may list (1000 ids a page)'),
  POLLER_RUN_RETENTION_DAYS: z.coerce.number().positive().default(7),
  POLLER_PRUNE_INTERVAL_SECONDS: positiveInt.default(3600),
  POLLER_SHUTDOWN_GRACE_MS: positiveInt.default(10000).describe('In-flight polls past this are abandoned'),
  POLLER_INSTANCES_GROUP_ID: z.string().min(1).default('poller-service.instances'),
});
export type Env = z.infer<typeof envSchema>;

/** Seconds per `event.poller.refresh_interval` unit. */
export function intervalUnitSeconds(env: Pick<Env, 'POLLER_INTERVAL_UNIT'>): number {
  return env.POLLER_INTERVAL_UNIT === 'seconds' ? 1 : 60;
}
