import { failureDelayMs, firstWatermark, jitterMs, pageRetryDelayMs, pollWindow } from './timing';

describe('scheduling arithmetic', () => {
  it('jitters within [0, max] and not at all for max 0', () => {
    expect(jitterMs(1000, () => 0.999)).toBe(999);
    expect(jitterMs(1000, () => 0)).toBe(0);
    expect(jitterMs(0, () => 0.5)).toBe(0);
  });

  it('backs off exponentially, capped, with equal jitter, honouring a longer Retry-After', () => {
    const options = { baseMs: 1000, maxMs: 8000 };
    expect(failureDelayMs(1, options, () => 1)).toBe(1000);
    expect(failureDelayMs(1, options, () => 0)).toBe(500);
    expect(failureDelayMs(3, options, () => 1)).toBe(4000);
    expect(failureDelayMs(10, options, () => 1)).toBe(8000);
    expect(failureDelayMs(100, options, () => 0)).toBe(4000);
    expect(failureDelayMs(1, { ...options, retryAfterMs: 20000 }, () => 1)).toBe(20000);
  });

  it('caps the in-poll page retry backoff at 30 s', () => {
    expect(pageRetryDelayMs(0, 500, () => 1)).toBe(500);
    expect(pageRetryDelayMs(2, 500, () => 1)).toBe(2000);
    expect(pageRetryDelayMs(20, 500, () => 1)).toBe(30000);
  });

  it('starts the first window at the instance creation, bounded by the look-back and by now', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    expect(firstWatermark(new Date('2026-01-01T11:59:50Z'), now, 900_000)).toEqual(
      new Date('2026-01-01T11:59:50Z'),
    );
    expect(firstWatermark(new Date('2025-01-01T00:00:00Z'), now, 900_000)).toEqual(
      new Date('2026-01-01T11:45:00Z'),
    );
    expect(firstWatermark(new Date('2026-01-01T12:05:00Z'), now, 900_000)).toEqual(now);
  });

  it('opens the window pollDelay + overlap before the watermark and closes it at the poll start', () => {
    const window = pollWindow(new Date('2026-01-01T12:00:00.700Z'), new Date('2026-01-01T12:01:00Z'), 10, 5);
    expect(window.from).toEqual(new Date('2026-01-01T11:59:45.700Z'));
    expect(window.to).toEqual(new Date('2026-01-01T12:01:00Z'));
  });
});
