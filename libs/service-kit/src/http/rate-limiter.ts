import { DomainError, ErrorCode } from './errors';

/** Token bucket per key (organization), shared by every public API (instance-service, poller, dispatcher).
 * In-process: each replica enforces the limit on its own share. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token; when none is left, says how many seconds until one is. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const nowMs = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.evictFull(nowMs);
      bucket = { tokens: this.burst, updatedMs: nowMs };
      this.buckets.set(key, bucket);
    } else {
      const elapsedSeconds = Math.max(0, nowMs - bucket.updatedMs) / 1000;
      bucket.tokens = Math.min(this.burst, bucket.tokens + elapsedSeconds * this.ratePerSecond);
      bucket.updatedMs = nowMs;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)),
    };
  }

  /** A bucket refilled to the brim carries no state: forgetting it changes nothing. */
  private evictFull(nowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * this.ratePerSecond;
      if (refilled >= this.burst) this.buckets.delete(key);
    }
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }
}

/** The 429 every public API answers when an organization's bucket is empty. */
export function rateLimitedError(retryAfterSeconds: number): DomainError {
  return new DomainError(
    ErrorCode.RATE_LIMITED,
    `Too many requests for this organization; retry after ${retryAfterSeconds} s`,
    429,
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** Longest `Authorization` header any API reads; longer ones answer 401 before any cache or lookup. */
export const MAX_AUTHORIZATION_LENGTH = 4096;
export const AUTHORIZATION_TOO_LONG = `Authorization header is too long (at most ${MAX_AUTHORIZATION_LENGTH} characters)`;
