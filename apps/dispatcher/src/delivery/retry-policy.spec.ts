import type { AttemptResult } from './callback.client';
import { decideAfterAttempt } from './attempt-outcome';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = {
  maxRetries: 3,
  initialDelayMs: 100,
  multiplier: 4,
  maxDelayMs: 1000,
  maxRetryAfterMs: 5000,
};
const serverError = (status: number, retryAfter?: string): AttemptResult => ({
  kind: 'http-error',
  statusCode: status,
  latencyMs: 3,
  responseBody: '',
  retryAfter,
});

describe('retry schedule', () => {
  it('grows exponentially with full jitter, capped', () => {
    expect(retryDelayMs(policy, 1, undefined, () => 1)).toBe(100);
    expect(retryDelayMs(policy, 2, undefined, () => 1)).toBe(400);
    expect(retryDelayMs(policy, 3, undefined, () => 1)).toBe(1000);
    expect(retryDelayMs(policy, 2, undefined, () => 0.5)).toBe(200);
    expect(retryDelayMs(policy, 2, undefined, () => 0)).toBe(0);
  });

  it('never retries sooner than Retry-After (itself capped)', () => {
    expect(retryDelayMs(policy, 1, 3000, () => 0.5)).toBe(3000);
    expect(retryDelayMs(policy, 1, 60_000, () => 0.5)).toBe(5000);
  });

  it('the default is Open Connectors-like: 9 retries, expected total about 3 days', () => {
    const expectedTotalMs = Array.from({ length: DEFAULT_RETRY_POLICY.maxRetries }, (_, i) =>
      retryDelayMs(DEFAULT_RETRY_POLICY, i + 1, undefined, () => 0.5),
    ).reduce((sum, delay) => sum + delay, 0);
    expect(expectedTotalMs / 3_600_000).toBeGreaterThan(65);
    expect(expectedTotalMs / 3_600_000).toBeLessThan(80);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('what follows an attempt', () => {
  it('2xx delivers; 410 disables; refusals fail without retry', () => {
    expect(
      decideAfterAttempt({ kind: 'delivered', statusCode: 204, latencyMs: 1, responseBody: '' }, 1, policy),
    ).toEqual({ status: 'DELIVERED' });
    expect(decideAfterAttempt(serverError(410), 1, policy)).toMatchObject({
      status: 'FAILED',
      disableEvents: true,
    });
    expect(
      decideAfterAttempt({ kind: 'refused', latencyMs: 0, error: 'private address' }, 1, policy),
    ).toMatchObject({
      status: 'FAILED',
      disableEvents: false,
    });
  });

  it('retries 429, 5xx, 3xx, timeouts and connection errors, honouring Retry-After on 429/5xx', () => {
    expect(decideAfterAttempt(serverError(429, '2'), 1, policy, () => 0)).toMatchObject({
      status: 'RETRYING',
      delayMs: 2000,
    });
    expect(decideAfterAttempt(serverError(503), 1, policy, () => 1)).toMatchObject({
      status: 'RETRYING',
      delayMs: 100,
    });
    expect(decideAfterAttempt(serverError(302), 2, policy, () => 1)).toMatchObject({
      status: 'RETRYING',
      delayMs: 400,
    });
    expect(decideAfterAttempt({ kind: 'timeout', latencyMs: 15000, error: 'x' }, 1, policy)).toMatchObject({
      status: 'RETRYING',
    });
    expect(
      decideAfterAttempt({ kind: 'connection-error', latencyMs: 1, error: 'ECONNREFUSED' }, 1, policy),
    ).toMatchObject({
      status: 'RETRYING',
    });
  });

  it('queues once the last retry has failed', () => {
    expect(decideAfterAttempt(serverError(500), 3, policy)).toMatchObject({ status: 'RETRYING' });
    expect(decideAfterAttempt(serverError(500), 4, policy)).toMatchObject({ status: 'QUEUED' });
  });
});
