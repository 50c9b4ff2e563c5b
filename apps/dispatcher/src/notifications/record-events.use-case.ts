import { randomUUID } from 'node:crypto';
import type { DispatcherMetrics } from '../delivery/dispatcher-metrics';
import type { EventStore, IncomingEvent } from './event.store';
import { planNotifications } from './notification-body';

export interface RecordResult {
  /** Events seen for the first time (a Kafka redelivery or a re-poll of the same change adds none). */
  newEvents: number;
  notifications: number;
}

/**
 * The events consumer's whole job: record the events and their notifications as pending, in one
 * transaction, and wake the worker pool. Sending happens there, so a slow endpoint never holds a partition.
 */
export class RecordEvents {
  constructor(
    private readonly store: EventStore,
    private readonly metrics: DispatcherMetrics,
    private readonly maxEventsPerNotification: number,
    private readonly onWork: () => void,
  ) {}

  async execute(incoming: ReadonlyArray<IncomingEvent>): Promise<RecordResult> {
    if (incoming.length === 0) return { newEvents: 0, notifications: 0 };
    // The same event twice in one batch (a re-poll) counts once.
    const unique = new Map<string, IncomingEvent>();
    for (const item of incoming) if (!unique.has(item.event.eventId)) unique.set(item.event.eventId, item);
    const { newEvents, planned } = await this.store.insertWithNotifications([...unique.values()], (events) =>
      planNotifications(events, randomUUID, this.maxEventsPerNotification),
    );
    this.metrics.eventsRecorded.inc({ kind: 'new' }, newEvents.length);
    this.metrics.eventsRecorded.inc({ kind: 'duplicate' }, incoming.length - newEvents.length);
    if (planned.length > 0) this.onWork();
    return { newEvents: newEvents.length, notifications: planned.length };
  }
}
