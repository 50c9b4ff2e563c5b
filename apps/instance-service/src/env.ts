import { z } from 'zod';
import { baseEnvSchema, envSchemas, SENSITIVE } from '@pollcast/service-kit';
import { KeyringError, parseKeyring } from './crypto/secret-box';

const keyring = z.string().transform((value, context) => {
  try {
    return parseKeyring(value);
  } catch (error) {
    context.addIssue({
      code: 'custom',
      message: error instanceof KeyringError ? error.message : 'invalid key list',
    });
    return z.NEVER;
  }
});

const optionalSecret = z.string().min(16, 'must be at least 16 characters').optional().describe(SENSITIVE);

export const envSchema = baseEnvSchema.extend({
  PORT: envSchemas.port.default(3000),
  POLLCAST_SERVICE_TOKEN: z.string().min(16, 'must be at least 16 characters').describe(SENSITIVE),
  /** `keyId:base64(32 bytes)[,…]`: the first encrypts, all decrypt (rotation). */
  POLLCAST_ENCRYPTION_KEYS: keyring.describe(SENSITIVE),
  /** Key of the HMAC fingerprints used to find a secret's owner; default: derived from the first
   * encryption key (set it explicitly before rotating encryption keys, or fingerprints change). */
  POLLCAST_LOOKUP_KEY: optionalSecret,
  POLLCAST_BOOTSTRAP_ORGANIZATION_SECRET: optionalSecret,
  POLLCAST_BOOTSTRAP_USER_SECRET: optionalSecret,
  POLLCAST_BOOTSTRAP_USER_EMAIL: z.email().default('developer@pollcast.local'),
  /** Default `maximizer.url` for instances that do not set one (a private server, the simulator). */
  MAXIMIZER_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Default `maximizer.alias`; when unset and MAXIMIZER_BASE_URL is set, `pollcast` is used. */
  MAXIMIZER_ALIAS: z.string().min(1).optional(),
  /** How long a verified tenant secret is remembered (scrypt is deliberately slow). */
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30000),
  /** Instance rows the public GETs keep in memory (kept true by PostgreSQL's change notifications); 0 = off. */
  INSTANCE_READ_CACHE_MAX: z.coerce.number().int().min(0).max(1_000_000).default(10000),
  /** The longest a cached row is served without being read again, whatever the notifications say. */
  INSTANCE_READ_CACHE_TTL_MS: z.coerce.number().int().min(1).default(60000),
  /** The read cache's memory bound (rows are tenant-sized), in MiB of the rows' approximate size. */
  INSTANCE_READ_CACHE_MAX_MB: z.coerce.number().int().min(1).max(65536).default(64),
  OUTBOX_RELAY_ENABLED: envSchemas.booleanFlag.default(true),
  OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(1000),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /** An access token expiring within this many seconds is refreshed before it is handed out. */
  ACCESS_TOKEN_REFRESH_MARGIN_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Limit on a provider call made while serving a request (code exchange, refresh). */
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).default(15000),
  /** The console's build (apps/console/dist by default); the console is not served when it is missing. */
  CONSOLE_DIST_DIR: z.string().min(1).optional(),
  /** Where the console sends poller and dispatcher API calls (their public URLs); empty = same origin. */
  CONSOLE_POLLER_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
  CONSOLE_DISPATCHER_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
});
export type Env = z.infer<typeof envSchema>;
