import { z } from 'zod';
import { positiveIntegerQuerySchema } from '@pollcast/service-kit';

export const MAX_STATS_HOURS = 48;
export const MAX_BUCKET_MINUTES = 60;

export const deliveryStatsQuerySchema = z.object({
  /** How far back, in hours (default the last 24). */
  hours: positiveIntegerQuerySchema(MAX_STATS_HOURS, 24),
  /** Width of one bucket, in minutes (default 1: events per minute). */
  bucketMinutes: positiveIntegerQuerySchema(MAX_BUCKET_MINUTES, 1),
});
export type DeliveryStatsQuery = z.infer<typeof deliveryStatsQuerySchema>;

/** Column-oriented, so a chart takes the arrays as they are: index i of every series is bucket i. */
export interface DeliveryStatsView {
  instanceId: string;
  /** The window [from, to), aligned to whole buckets. */
  from: string;
  to: string;
  bucketSeconds: number;
  /** Start of each bucket, in Unix seconds. */
  bucketStarts: number[];
  /** Events received per bucket, by event type (CREATED, UPDATED, DELETED; only types seen). */
  eventsByType: Record<string, number[]>;
  /** Delivery attempts per bucket, by outcome (delivered, http-error, timeout, connection-error, refused, …). */
  attemptsByOutcome: Record<string, number[]>;
  /** Event time → 2xx, in milliseconds, over the events delivered in each bucket (null: none). */
  latencyMs: { p50: (number | null)[]; p99: (number | null)[] };
  /** The same over the whole window. */
  totals: {
    eventsByType: Record<string, number>;
    attemptsByOutcome: Record<string, number>;
    deliveredEvents: number;
    latencyMs: { p50: number | null; p99: number | null };
  };
}
