// The dispatcher's GET …/delivery-stats, checked before the charts draw it: series of another length
// than the buckets, or values that are not numbers, are dropped instead of drawn wrong.
import { isObject } from './normalize';

export interface DeliveryStats {
  readonly bucketSeconds: number;
  /** Bucket starts, Unix seconds. */
  readonly bucketStarts: readonly number[];
  readonly eventsByType: Readonly<Record<string, readonly number[]>>;
  readonly attemptsByOutcome: Readonly<Record<string, readonly number[]>>;
  readonly latencyMs: { readonly p50: readonly (number | null)[]; readonly p99: readonly (number | null)[] };
  readonly totals: {
    readonly eventsByType: Readonly<Record<string, number>>;
    readonly attemptsByOutcome: Readonly<Record<string, number>>;
    readonly deliveredEvents: number;
    readonly latencyMs: { readonly p50: number | null; readonly p99: number | null };
  };
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const orNull = (value: unknown): number | null => (isCount(value) ? value : null);

function seriesMap(value: unknown, length: number): Record<string, number[]> {
  if (!isObject(value)) return {};
  const series: Record<string, number[]> = {};
  for (const [key, values] of Object.entries(value)) {
    if (Array.isArray(values) && values.length === length && values.every(isCount)) series[key] = values;
  }
  return series;
}

function countMap(value: unknown): Record<string, number> {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number] => isCount(entry[1])),
  );
}

function nullableSeries(value: unknown, length: number): (number | null)[] {
  return Array.isArray(value) && value.length === length
    ? value.map(orNull)
    : new Array<null>(length).fill(null);
}

export function toDeliveryStats(body: unknown): DeliveryStats | undefined {
  if (!isObject(body) || !Array.isArray(body['bucketStarts']) || !body['bucketStarts'].every(isCount)) {
    return undefined;
  }
  const bucketStarts = body['bucketStarts'];
  const length = bucketStarts.length;
  const latency = isObject(body['latencyMs']) ? body['latencyMs'] : {};
  const totals = isObject(body['totals']) ? body['totals'] : {};
  const totalLatency = isObject(totals['latencyMs']) ? totals['latencyMs'] : {};
  return {
    bucketSeconds: isCount(body['bucketSeconds']) ? body['bucketSeconds'] : 60,
    bucketStarts,
    eventsByType: seriesMap(body['eventsByType'], length),
    attemptsByOutcome: seriesMap(body['attemptsByOutcome'], length),
    latencyMs: { p50: nullableSeries(latency['p50'], length), p99: nullableSeries(latency['p99'], length) },
    totals: {
      eventsByType: countMap(totals['eventsByType']),
      attemptsByOutcome: countMap(totals['attemptsByOutcome']),
      deliveredEvents: isCount(totals['deliveredEvents']) ? totals['deliveredEvents'] : 0,
      latencyMs: { p50: orNull(totalLatency['p50']), p99: orNull(totalLatency['p99']) },
    },
  };
}
