import type { AttemptResult } from './callback.client';
import { parseRetryAfter, retryDelayMs, type RetryPolicy } from './retry-policy';

/** What to do with a notification after one attempt. */
export type AttemptDecision =
  | { status: 'DELIVERED' }
  /** 410 Gone: the tenant's endpoint asked to stop; turn the instance's events off. */
  | { status: 'FAILED'; disableEvents: true; reason: string }
  /** Retrying cannot help (refused URL). */
  | { status: 'FAILED'; disableEvents: false; reason: string }
  | { status: 'RETRYING'; delayMs: number; reason: string }
  /** Retries exhausted: queue it and deactivate the instance's subscription. */
  | { status: 'QUEUED'; reason: string };

export function describeResult(result: AttemptResult): string {
  switch (result.kind) {
    case 'delivered':
      return `answered ${result.statusCode}`;
    case 'http-error':
      return `answered ${result.statusCode}`;
    case 'timeout':
      return `timed out: ${result.error}`;
    case 'connection-error':
      return `connection failed: ${result.error}`;
    case 'refused':
      return `refused: ${result.error}`;
  }
}

/**
 * Success is 2xx only; 410 disables; a refused URL fails at once; anything else (3xx, 4xx, 5xx,
 * timeouts, connection errors) retries on the schedule until `maxRetries` retries have failed.
 * `attemptsMade` includes the attempt just made.
 */
export function decideAfterAttempt(
  result: AttemptResult,
  attemptsMade: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
  now = Date.now(),
): AttemptDecision {
  if (result.kind === 'delivered') return { status: 'DELIVERED' };
  const reason = describeResult(result);
  if (result.kind === 'refused') return { status: 'FAILED', disableEvents: false, reason };
  if (result.kind === 'http-error' && result.statusCode === 410) {
    return { status: 'FAILED', disableEvents: true, reason: 'callback answered 410 Gone' };
  }
  if (attemptsMade > policy.maxRetries) {
    return { status: 'QUEUED', reason: `${reason}; gave up after ${attemptsMade} attempts` };
  }
  const retryAfterMs =
    result.kind === 'http-error' && (result.statusCode === 429 || result.statusCode >= 500)
      ? parseRetryAfter(result.retryAfter, now)
      : undefined;
  return { status: 'RETRYING', delayMs: retryDelayMs(policy, attemptsMade, retryAfterMs, random), reason };
}
