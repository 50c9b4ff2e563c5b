import { statSync } from 'node:fs';
import { parseHostAllowList } from '@pollcast/outbound-guard';
import { z } from 'zod';
import { managementEnvShape } from '../http/management-server';
import { kafkaSecurityEnvShape, kafkaSecurityIssues } from '../kafka/kafka-security';
import { kafkaTuningEnvShape } from '../kafka/kafka-tuning';
import { booleanFlag, port, SENSITIVE } from './env-primitives';

export { SENSITIVE };

/** Variables every Pollcast service reads. Apps extend this schema with their own. */
export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1').describe('Interface the HTTP server binds to'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).describe(SENSITIVE),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'expected host:port[,host:port…]')
    .describe('Comma-separated bootstrap servers'),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
  KAFKA_CREATE_TOPICS: booleanFlag
    .default(true)
    .describe(
      'Create missing topics at start; false = operators pre-create them and a missing one fails the start',
    ),
  ...kafkaSecurityEnvShape,
  ...kafkaTuningEnvShape,
  ...managementEnvShape,
  KAFKA_CONSUMER_MAX_DETERMINISTIC_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('Attempts of a message failing deterministically (e.g. PostgreSQL 22*) before the DLQ'),
  KAFKA_CONSUMER_MAX_UNKNOWN_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(10)
    .describe('Attempts of a message failing with an unclassified error before the DLQ (~2 min at 10)'),
  POLLCAST_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default('')
    .describe('Prefix for every topic name (tests use it to stay independent)'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(25000),
  POLLCAST_ALLOW_PRIVATE_CALLBACKS: booleanFlag.default(false),
  POLLCAST_PROVIDER_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((value, context) => {
      try {
        return parseHostAllowList(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    })
    .describe(
      "Provider hosts allowed besides each element's own (on-premise CRMs): comma-separated " +
        '[http(s)://]host[:port] or *.domain; an IP literal with its port admits that private address ' +
        '(the simulator in development). Never opened by POLLCAST_ALLOW_PRIVATE_CALLBACKS',
    ),
  POLLCAST_ELEMENTS_DIR: z
    .string()
    .refine((folder) => {
      try {
        return statSync(folder).isDirectory();
      } catch {
        return false;
      }
    }, 'is not a readable directory')
    .optional()
    .describe(
      "The operator's element definitions (<key>.json or <key>/element.json, docs/elements.md), added " +
        'to the built-in catalog at start; a definition with a mistake stops the start naming its path',
    ),
  /** Public API requests per second per organization (per replica), and the bucket size: the same
   * limit on instance-service, poller-service and dispatcher. */
  RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(50),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(100),
  POLLCAST_CORS_ORIGINS: z
    .string()
    .regex(
      /^(\*|https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*)$/,
      'expected * or a comma-separated list of http(s) origins',
    )
    .optional()
    .describe('Browser origins allowed to call this API (the console on another origin); unset = none'),
});
export type BaseEnv = z.infer<typeof baseEnvSchema>;

export const envSchemas = { port, booleanFlag };

export class EnvConfigError extends Error {
  constructor(
    readonly service: string,
    readonly issues: ReadonlyArray<{ variable: string; message: string }>,
  ) {
    super(
      `${service}: invalid environment: ${issues.map((issue) => `${issue.variable}: ${issue.message}`).join('; ')}`,
    );
  }
}

/** Parses the environment once at boot; a wrong or missing variable is one readable error naming it. */
export function parseEnv<T extends z.ZodType>(
  service: string,
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<T> {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) {
    // Variables that need each other (a client certificate and its key, SASL and its credentials).
    const data = result.data as Record<string, unknown>;
    const crossIssues = 'KAFKA_SSL' in data ? kafkaSecurityIssues(data as BaseEnv) : [];
    if (crossIssues.length > 0) throw new EnvConfigError(service, crossIssues);
    return result.data;
  }
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
  const issues = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(environment)';
    const given = cleaned[variable];
    if (given === undefined) return { variable, message: 'is required but not set' };
    const sensitive = shape[variable]?.description === SENSITIVE;
    return {
      variable,
      message: sensitive ? issue.message : `${issue.message} (got ${JSON.stringify(given)})`,
    };
  });
  throw new EnvConfigError(service, issues);
}
