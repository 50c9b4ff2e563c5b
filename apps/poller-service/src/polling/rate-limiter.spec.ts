import { InstanceRateLimiter, sleep } from './rate-limiter';

describe('InstanceRateLimiter', () => {
  it('allows a burst, then spaces requests at the rate, per instance', () => {
    let now = 0;
    const limiter = new InstanceRateLimiter(2, 2, () => now);
    expect(limiter.reserve('a')).toBe(0);
    expect(limiter.reserve('a')).toBe(0);
    expect(limiter.reserve('a')).toBe(500);
    expect(limiter.reserve('a')).toBe(1000);
    expect(limiter.reserve('b')).toBe(0);
    now = 1000; // two tokens back, both already reserved: the next waits half a second
    expect(limiter.reserve('a')).toBe(500);
  });

  it('forgets refilled buckets', () => {
    let now = 0;
    const limiter = new InstanceRateLimiter(10, 5, () => now);
    limiter.reserve('a');
    limiter.reserve('b');
    now = 50;
    limiter.prune();
    expect(limiter.size).toBe(2);
    now = 1000;
    limiter.prune();
    expect(limiter.size).toBe(0);
  });

  it('sleep rejects with the abort reason', async () => {
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort(new Error('stopping'));
    await expect(pending).rejects.toThrow('stopping');
  });
});
