import { bucketWindow, countSeries, latencySeries } from './delivery-buckets';

describe('delivery chart buckets', () => {
  it('ends the window at the next whole bucket and covers exactly the hours asked', () => {
    const window = bucketWindow(new Date('2026-12-01T10:00:30Z'), 2, 3600);
    expect(window.to.toISOString()).toBe('2026-12-01T11:00:00.000Z');
    expect(window.from.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(window.bucketStarts).toEqual([
      Date.parse('2026-12-01T09:00:00Z') / 1000,
      Date.parse('2026-12-01T10:00:00Z') / 1000,
    ]);
    // On a boundary, `to` is that boundary (the current bucket is empty but shown).
    expect(bucketWindow(new Date('2026-12-01T10:00:00Z'), 1, 60).to.toISOString()).toBe(
      '2026-12-01T10:00:00.000Z',
    );
  });

  it('fills zeros, sums per key and ignores rows outside the window', () => {
    const { series, totals } = countSeries(
      [0, 60, 120],
      [
        { bucket: 60, key: 'UPDATED', count: 2 },
        { bucket: 0, key: 'CREATED', count: 1 },
        { bucket: 120, key: 'UPDATED', count: 3 },
        { bucket: 180, key: 'UPDATED', count: 99 },
      ],
    );
    expect(series).toEqual({ CREATED: [1, 0, 0], UPDATED: [0, 2, 3] });
    expect(Object.keys(series)).toEqual(['CREATED', 'UPDATED']);
    expect(totals).toEqual({ CREATED: 1, UPDATED: 5 });
  });

  it('leaves buckets without deliveries null and rounds latencies to whole milliseconds', () => {
    expect(latencySeries([0, 60], [{ bucket: 60, p50: 10.4, p99: 99.6, count: 4 }])).toEqual({
      p50: [null, 10],
      p99: [null, 100],
    });
  });
});
