import type { Principal } from '@pollcast/tenant-auth';
import type { EventsApi } from '../api/events-api.use-case';
import { bucketWindow, countSeries, latencySeries, roundMs } from './delivery-buckets';
import type { DeliveryStatsQuery, DeliveryStatsView } from './delivery-stats.schemas';
import type { DeliveryStatsStore } from './delivery-stats.store';

/** The console's charts of one instance: events per bucket by type, attempts by outcome, latency. */
export class DeliveryStatsUseCase {
  constructor(
    private readonly store: DeliveryStatsStore,
    private readonly access: Pick<EventsApi, 'assertInstanceOf'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async stats(
    principal: Principal,
    instanceId: string,
    query: DeliveryStatsQuery,
  ): Promise<DeliveryStatsView> {
    await this.access.assertInstanceOf(principal, instanceId);
    const bucketSeconds = query.bucketMinutes * 60;
    const { from, to, bucketStarts } = bucketWindow(this.now(), query.hours, bucketSeconds);
    const window = { instanceId, from, to, bucketSeconds };
    const [events, attempts, latency, overall] = await Promise.all([
      this.store.eventsByType(window),
      this.store.attemptsByOutcome(window),
      this.store.latencyByBucket(window),
      this.store.latencyOverall(window),
    ]);
    const eventsByType = countSeries(bucketStarts, events);
    const attemptsByOutcome = countSeries(bucketStarts, attempts);
    return {
      instanceId,
      from: from.toISOString(),
      to: to.toISOString(),
      bucketSeconds,
      bucketStarts,
      eventsByType: eventsByType.series,
      attemptsByOutcome: attemptsByOutcome.series,
      latencyMs: latencySeries(bucketStarts, latency),
      totals: {
        eventsByType: eventsByType.totals,
        attemptsByOutcome: attemptsByOutcome.totals,
        deliveredEvents: overall.count,
        latencyMs: { p50: roundMs(overall.p50), p99: roundMs(overall.p99) },
      },
    };
  }
}
