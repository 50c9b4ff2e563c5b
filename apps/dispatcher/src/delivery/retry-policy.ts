/** How failed attempts are spaced: exponential backoff with full jitter, honouring Retry-After. */
export interface RetryPolicy {
  /** Retries after the first attempt (Open Connectors: 9). */
  maxRetries: number;
  /** Nominal delay before the first retry. */
  initialDelayMs: number;
  multiplier: number;
  /** Cap of one nominal delay. */
  maxDelayMs: number;
  /** Cap of a Retry-After the endpoint asks for. */
  maxRetryAfterMs: number;
}

/**
 * The default mirrors Open Connectors (9 retries, ×4 each): nominal delays 6 s · 4^(n-1), so the
 * expected total with full jitter is ≈ 73 h ("about 3 days"), the longest possible ≈ 6 days.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 9,
  initialDelayMs: 6000,
  multiplier: 4,
  maxDelayMs: 7 * 24 * 3600 * 1000,
  maxRetryAfterMs: 24 * 3600 * 1000,
};

/**
 * Delay before retry number `retry` (1 = first retry): uniform in [0, nominal] ("full jitter", which
 * spreads a thundering herd after an outage), but never sooner than a Retry-After the endpoint sent.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.multiplier ** Math.max(0, retry - 1),
  );
  const jittered = Math.round(random() * nominal);
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
