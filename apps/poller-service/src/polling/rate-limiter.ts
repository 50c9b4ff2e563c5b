interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

/** Token buckets, one per instance: a provider sees at most `ratePerSecond` requests per instance from
 * this replica (bursts up to `burst`). Callers reserve a token and wait their turn, so waiting callers
 * are served in order. */
export class InstanceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Milliseconds to wait before the caller may send; the token is reserved already. */
  reserve(instanceId: string): number {
    const now = this.nowMs();
    const bucket = this.buckets.get(instanceId) ?? { tokens: this.burst, updatedAtMs: now };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.updatedAtMs) / 1000) * this.ratePerSecond,
    );
    bucket.updatedAtMs = now;
    bucket.tokens -= 1;
    this.buckets.set(instanceId, bucket);
    return bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens / this.ratePerSecond) * 1000);
  }

  async acquire(instanceId: string, signal?: AbortSignal): Promise<void> {
    const waitMs = this.reserve(instanceId);
    if (waitMs > 0) await sleep(waitMs, signal);
  }

  /** Forgets buckets that have refilled (keeps the map small with many instances). */
  prune(): void {
    const now = this.nowMs();
    for (const [instanceId, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((now - bucket.updatedAtMs) / 1000) * this.ratePerSecond;
      if (refilled >= this.burst) this.buckets.delete(instanceId);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** setTimeout as a promise that rejects with the signal's reason when it fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
