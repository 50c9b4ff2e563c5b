/**
 * What a consumer does when handling a message fails: the one failure policy of every Pollcast consumer
 * (see the service-kit README, "Kafka consumers: the failure policy").
 *
 * - transient (broker, connection, timeouts, lock / serialization conflicts, PostgreSQL shutting down or
 *   out of connections): the same messages are retried with capped backoff, for as long as it takes —
 *   they will succeed once the dependency is back, and dead-lettering them would only move an outage
 *   into the DLQ.
 * - deterministic (schema, PostgreSQL data-class `22*` and integrity `23*` errors, encoding, a record
 *   the broker refuses): retried a few times, then the message that causes it is isolated and
 *   dead-lettered; the partition moves on.
 * - unknown (anything else, e.g. a TypeError): retried with backoff like a transient failure, but only
 *   `maxUnknownAttempts` times; then treated as deterministic. A message can therefore never stall its
 *   partition for longer than that budget, and a wrongly dead-lettered message can be replayed.
 */

export type FailureKind = 'transient' | 'deterministic' | 'unknown';

export interface FailureClass {
  kind: FailureKind;
  /** Short, bounded label for metrics and logs: `schema`, `pg_22P05`, `encoding`, `unknown`, … */
  code: string;
  /** One line for the DLQ reason header. */
  description: string;
}

/** A handler throws this when it knows a message can never be processed (the policy dead-letters it). */
export class PoisonMessageError extends Error {
  constructor(
    message: string,
    readonly code = 'poison',
  ) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/** A handler throws this when it knows the failure is worth retrying indefinitely. */
export class TransientConsumerError extends Error {
  constructor(
    message: string,
    readonly code = 'transient',
  ) {
    super(message);
    this.name = 'TransientConsumerError';
  }
}

export interface FailurePolicyOptions {
  /** Attempts of a batch that fails deterministically before its poison message is isolated. */
  maxDeterministicAttempts: number;
  /** Attempts of a batch that fails with an unknown error before it is treated as deterministic. */
  maxUnknownAttempts: number;
  /** Backoff between attempts: initial · 2^(attempt−1), capped, with jitter (50–100 %). */
  backoffInitialMs: number;
  backoffMaxMs: number;
}

/** Defaults: a poison message is out of the way in about a second; an unknown error gets ~2 minutes. */
export const DEFAULT_FAILURE_POLICY: FailurePolicyOptions = {
  maxDeterministicAttempts: 3,
  maxUnknownAttempts: 10,
  backoffInitialMs: 200,
  backoffMaxMs: 30_000,
};

/** Delay before the next attempt after `attempt` failures (≥ 1); `random` is injectable for tests. */
export function backoffMs(
  attempt: number,
  options: Pick<FailurePolicyOptions, 'backoffInitialMs' | 'backoffMaxMs'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const capped = Math.min(options.backoffMaxMs, options.backoffInitialMs * 2 ** exponent);
  return Math.round(capped * (0.5 + random() / 2));
}

/** PostgreSQL SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const PG_TRANSIENT_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '55006', // object_in_use
  '57014', // query_canceled (statement timeout)
  '53300', // too_many_connections
]);
const PG_TRANSIENT_CLASSES = ['08', '57P', '53', '58']; // connection, shutdown, resources, system I/O
const PG_DETERMINISTIC_CLASSES = ['22', '23']; // data exception, integrity constraint
/** An integrity failure that can depend on another message arriving first: retried as unknown. */
const PG_ORDER_DEPENDENT = new Set(['23503']); // foreign_key_violation

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** Records the broker refuses whatever the retry: the message itself is the problem. */
const KAFKA_DETERMINISTIC_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

const TRANSIENT_MESSAGE =
  /timeout|timed out|connection (terminated|refused|reset|closed|ended|lost)|terminating connection|socket hang up|ECONNRESET|ECONNREFUSED|not connected|too many clients|the database system is (starting up|shutting down|in recovery mode)|Cannot use a pool after calling end|Client has encountered a connection error/i;
const ENCODING_MESSAGE =
  /invalid byte sequence|unsupported Unicode escape sequence|untranslatable character|surrogate|malformed UTF-8|URI malformed/i;

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  type?: unknown;
  retriable?: unknown;
  cause?: unknown;
  driverError?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

/** The error and the errors it wraps (TypeORM's driverError, kafkajs' cause, AggregateError's list). */
function chainOf(error: unknown): ErrorFields[] {
  const seen = new Set<unknown>();
  const chain: ErrorFields[] = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 5 || typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const fields = value as ErrorFields;
    chain.push(fields);
    visit(fields.driverError, depth + 1);
    visit(fields.cause, depth + 1);
    visit(fields.originalError, depth + 1);
    if (Array.isArray(fields.errors)) for (const inner of fields.errors.slice(0, 5)) visit(inner, depth + 1);
  };
  visit(error, 0);
  return chain;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const isSqlState = (code: string) => /^[0-9][0-9A-Z]{4}$|^(P0|XX|F0|HV)[0-9A-Z]{3}$/.test(code);

/** Classifies a handler failure. Pure; looks only at names, codes and messages. */
export function classifyFailure(error: unknown): FailureClass {
  const chain = chainOf(error);
  const top = chain[0];
  const headline = top ? `${text(top.name) || 'Error'}: ${text(top.message)}` : String(error);
  for (const link of chain) {
    const name = text(link.name);
    const code = typeof link.code === 'string' ? link.code : '';
    if (name === 'PoisonMessageError')
      return { kind: 'deterministic', code: code || 'poison', description: headline };
    if (name === 'TransientConsumerError')
      return { kind: 'transient', code: code || 'transient', description: headline };
    if (name === 'ZodError' || name === '$ZodError')
      return { kind: 'deterministic', code: 'schema', description: headline };
    if (code && isSqlState(code)) {
      const pg = `pg_${code}`;
      const description = `PostgreSQL ${code}: ${text(link.message)}`;
      if (PG_TRANSIENT_CODES.has(code) || PG_TRANSIENT_CLASSES.some((p) => code.startsWith(p)))
        return { kind: 'transient', code: pg, description };
      if (PG_ORDER_DEPENDENT.has(code)) return { kind: 'unknown', code: pg, description };
      if (PG_DETERMINISTIC_CLASSES.some((p) => code.startsWith(p)))
        return { kind: 'deterministic', code: pg, description };
      return { kind: 'unknown', code: pg, description };
    }
    if (code && TRANSIENT_NODE_CODES.has(code))
      return { kind: 'transient', code: code.toLowerCase(), description: headline };
    if (name.startsWith('KafkaJS')) {
      const type = text(link.type);
      if (KAFKA_DETERMINISTIC_TYPES.has(type))
        return { kind: 'deterministic', code: `kafka_${type.toLowerCase()}`, description: headline };
    }
  }
  for (const link of chain) {
    const name = text(link.name);
    const message = text(link.message);
    if (ENCODING_MESSAGE.test(message))
      return { kind: 'deterministic', code: 'encoding', description: headline };
    // kafkajs marks what it considers retriable; a broker that stays away is an outage, not poison.
    if (name.startsWith('KafkaJS')) return { kind: 'transient', code: 'broker', description: headline };
    if (TRANSIENT_MESSAGE.test(message))
      return { kind: 'transient', code: 'connection', description: headline };
  }
  if (top && text(top.name) === 'SyntaxError')
    return { kind: 'deterministic', code: 'syntax', description: headline };
  return { kind: 'unknown', code: 'unknown', description: headline };
}

/**
 * A reason as it may appear in a log line: quoted values (PostgreSQL and JSON.parse quote the
 * offending input) are elided, so no record content reaches the logs — the DLQ keeps the record.
 */
export function redactReason(reason: string): string {
  return reason
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .slice(0, 500);
}

/** An error as logged on a retry: name, code, redacted message — never a driver's query parameters. */
export function describeForLog(error: unknown): Record<string, unknown> {
  const [top] = chainOf(error);
  if (!top) return { message: redactReason(String(error)) };
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : undefined;
  return {
    type: text(top.name) || 'Error',
    ...(typeof top.code === 'string' ? { code: top.code } : {}),
    message: redactReason(text(top.message)),
    // Frames only: the first line of a stack repeats the (unredacted) message.
    ...(stack ? { stack: stack.split('\n').slice(1, 8).join('\n') } : {}),
  };
}

/** The policy as configured for a service (KAFKA_CONSUMER_MAX_*_ATTEMPTS in the base env schema). */
export function failurePolicyFromEnv(env: {
  KAFKA_CONSUMER_MAX_DETERMINISTIC_ATTEMPTS: number;
  KAFKA_CONSUMER_MAX_UNKNOWN_ATTEMPTS: number;
}): FailurePolicyOptions {
  return {
    ...DEFAULT_FAILURE_POLICY,
    maxDeterministicAttempts: env.KAFKA_CONSUMER_MAX_DETERMINISTIC_ATTEMPTS,
    maxUnknownAttempts: env.KAFKA_CONSUMER_MAX_UNKNOWN_ATTEMPTS,
  };
}
