import type { BucketCount, BucketLatency } from './delivery-stats.store';

/** The buckets of [to - hours, to), where `to` is `now` rounded up to a whole bucket. */
export function bucketWindow(now: Date, hours: number, bucketSeconds: number) {
  const toSeconds = Math.ceil(now.getTime() / 1000 / bucketSeconds) * bucketSeconds;
  const count = Math.ceil((hours * 3600) / bucketSeconds);
  const fromSeconds = toSeconds - count * bucketSeconds;
  const bucketStarts = Array.from({ length: count }, (_, index) => fromSeconds + index * bucketSeconds);
  return { from: new Date(fromSeconds * 1000), to: new Date(toSeconds * 1000), bucketStarts };
}

/** Sparse rows → one dense series per key (zeros where a bucket had none), keys in a stable order. */
export function countSeries(bucketStarts: readonly number[], rows: readonly BucketCount[]) {
  const indexOf = bucketIndex(bucketStarts);
  const series: Record<string, number[]> = {};
  const totals: Record<string, number> = {};
  for (const row of [...rows].sort((a, b) => a.key.localeCompare(b.key))) {
    const index = indexOf.get(row.bucket);
    if (index === undefined) continue;
    const values = (series[row.key] ??= new Array<number>(bucketStarts.length).fill(0));
    values[index] = (values[index] ?? 0) + row.count;
    totals[row.key] = (totals[row.key] ?? 0) + row.count;
  }
  return { series, totals };
}

export function latencySeries(bucketStarts: readonly number[], rows: readonly BucketLatency[]) {
  const indexOf = bucketIndex(bucketStarts);
  const p50 = new Array<number | null>(bucketStarts.length).fill(null);
  const p99 = new Array<number | null>(bucketStarts.length).fill(null);
  for (const row of rows) {
    const index = indexOf.get(row.bucket);
    if (index === undefined) continue;
    p50[index] = roundMs(row.p50);
    p99[index] = roundMs(row.p99);
  }
  return { p50, p99 };
}

export const roundMs = (value: number | null): number | null => (value === null ? null : Math.round(value));

function bucketIndex(bucketStarts: readonly number[]): Map<number, number> {
  return new Map(bucketStarts.map((start, index) => [start, index]));
}
