import { RateLimiter } from './rate-limiter';

describe('RateLimiter (token bucket per organization)', () => {
  it('allows a burst, then the rate, and says when to retry', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([1, 2, 3].map(() => limiter.take('org-a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('org-a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('org-b').allowed).toBe(true);
    now += 500; // half a second refills one token at 2/s
    expect(limiter.take('org-a').allowed).toBe(true);
    expect(limiter.take('org-a').allowed).toBe(false);
    now += 10_000;
    expect([1, 2, 3, 4].map(() => limiter.take('org-a').allowed)).toEqual([true, true, true, false]);
  });

  it('rounds Retry-After up to whole seconds at slow rates', () => {
    const limiter = new RateLimiter(0.1, 1, () => 0);
    limiter.take('org');
    expect(limiter.take('org')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('forgets full buckets when it holds too many keys', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 1, () => now, 2);
    limiter.take('a');
    limiter.take('b');
    now += 5000;
    expect(limiter.take('c').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(true);
  });
});
