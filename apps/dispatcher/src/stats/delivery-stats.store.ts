import type { DataSource } from 'typeorm';

export interface Window {
  instanceId: string;
  from: Date;
  to: Date;
  bucketSeconds: number;
}

/** One count of one key (event type, outcome) in one bucket (its start in Unix seconds). */
export interface BucketCount {
  bucket: number;
  key: string;
  count: number;
}

export interface BucketLatency {
  bucket: number;
  p50: number | null;
  p99: number | null;
  count: number;
}

// Event time → the notification's 2xx, never negative (a provider clock ahead of ours).
const LATENCY_MS = `GREATEST(0, extract(epoch FROM n.delivered_at - e.event_date) * 1000)`;
const bucketOf = (column: string) => `(floor(extract(epoch FROM ${column}) / $4) * $4)::bigint`;

/** The delivery charts' SQL: counts and latency percentiles of one instance, per bucket. */
export class DeliveryStatsStore {
  constructor(private readonly dataSource: DataSource) {}

  async eventsByType(window: Window): Promise<BucketCount[]> {
    return this.counts(
      `SELECT ${bucketOf('received_at')} AS bucket, event_type AS key, count(*)::int AS count
         FROM events WHERE instance_id = $1 AND received_at >= $2 AND received_at < $3 GROUP BY 1, 2`,
      window,
    );
  }

  /** Served by delivery_attempts_instance_attempted (instance_id, attempted_at). */
  async attemptsByOutcome(window: Window): Promise<BucketCount[]> {
    return this.counts(
      `SELECT ${bucketOf('attempted_at')} AS bucket, outcome AS key, count(*)::int AS count
         FROM delivery_attempts WHERE instance_id = $1 AND attempted_at >= $2 AND attempted_at < $3 GROUP BY 1, 2`,
      window,
    );
  }

  async latencyByBucket(window: Window): Promise<BucketLatency[]> {
    const rows: { bucket: string; p50: number | null; p99: number | null; count: number }[] =
      await this.dataSource.query(
        `SELECT ${bucketOf('n.delivered_at')} AS bucket, ${PERCENTILES}
           FROM notifications n JOIN events e ON e.notification_id = n.id
          WHERE ${DELIVERED_IN_WINDOW} GROUP BY 1`,
        params(window),
      );
    return rows.map((row) => ({ ...row, bucket: Number(row.bucket) }));
  }

  /** Percentiles do not add up across buckets: the window's own. */
  async latencyOverall(window: Window): Promise<Omit<BucketLatency, 'bucket'>> {
    const [row]: { p50: number | null; p99: number | null; count: number }[] = await this.dataSource.query(
      `SELECT ${PERCENTILES} FROM notifications n JOIN events e ON e.notification_id = n.id
        WHERE ${DELIVERED_IN_WINDOW}`,
      params(window).slice(0, 3),
    );
    return row ?? { p50: null, p99: null, count: 0 };
  }

  private async counts(sql: string, window: Window): Promise<BucketCount[]> {
    const rows: { bucket: string; key: string; count: number }[] = await this.dataSource.query(
      sql,
      params(window),
    );
    return rows.map((row) => ({ ...row, bucket: Number(row.bucket) }));
  }
}

const PERCENTILES = `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${LATENCY_MS}) AS p50,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY ${LATENCY_MS}) AS p99, count(*)::int AS count`;
const DELIVERED_IN_WINDOW = `n.instance_id = $1 AND n.status = 'DELIVERED' AND n.delivered_at >= $2 AND n.delivered_at < $3`;

function params(window: Window): unknown[] {
  return [window.instanceId, window.from.toISOString(), window.to.toISOString(), window.bucketSeconds];
}
