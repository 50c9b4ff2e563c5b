/** Pure scheduling arithmetic (kept apart so it is unit-tested without a database). */

/** Uniformly random in [0, maxMs]; `random` is injectable for tests. */
export function jitterMs(maxMs: number, random: () => number = Math.random): number {
  return maxMs <= 0 ? 0 : Math.floor(random() * maxMs);
}

/** How long a resource whose poll just failed for the `failures`-th time in a row waits before the
 * next attempt: exponential from `baseMs`, capped at `maxMs`, with "equal jitter" (half fixed, half
 * random) so many resources failing together do not retry in lockstep. A provider's Retry-After wins
 * when it asks for longer. */
export function failureDelayMs(
  failures: number,
  options: { baseMs: number; maxMs: number; retryAfterMs?: number },
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const capped = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const jittered = capped / 2 + random() * (capped / 2);
  return Math.round(Math.max(jittered, options.retryAfterMs ?? 0));
}

/** Backoff between attempts at one page inside a poll (attempt 0 = the first retry). */
export function pageRetryDelayMs(
  attempt: number,
  baseMs: number,
  random: () => number = Math.random,
): number {
  const capped = Math.min(30000, baseMs * 2 ** Math.min(attempt, 10));
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** The first window of a new resource starts at the instance's creation (no history), but never
 * further back than `lookbackMs` — a snapshot consumed long after it was written (a poller deployed
 * late, a replayed topic) must not turn into an unasked-for backfill. */
export function firstWatermark(instanceCreatedAt: Date, now: Date, lookbackMs: number): Date {
  const earliest = now.getTime() - lookbackMs;
  return new Date(Math.min(now.getTime(), Math.max(instanceCreatedAt.getTime(), earliest)));
}

export interface PollWindow {
  from: Date;
  /** The poll's start: where the watermark moves once every record is acknowledged. */
  to: Date;
}

/** window start = watermark − pollDelay − overlap. The overlap re-reads records that share the
 * watermark's second (providers with second-precision dates); the normalizer drops unchanged re-reads. */
export function pollWindow(
  watermark: Date,
  pollStart: Date,
  pollDelaySeconds: number,
  overlapSeconds: number,
): PollWindow {
  return {
    from: new Date(watermark.getTime() - (pollDelaySeconds + overlapSeconds) * 1000),
    to: pollStart,
  };
}
