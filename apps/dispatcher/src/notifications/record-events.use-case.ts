import { randomUUID } from 'node:crypto';
import { topicName } from '@pollcast/contracts';
import {
  contextFromHeaders,
  endSpan,
  kafkaSpanAttributes,
  SpanKind,
  startSpan,
  traceparentOf,
  type Span,
} from '@pollcast/telemetry';
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
    const items = [...unique.values()];
    // One span per event, continuing its poll's trace; a notification keeps its first event's span as the
    // traceparent its delivery continues (docs/tracing.md).
    const spans: Span[] = items.map(({ event, headers }) =>
      startSpan('record event', {
        kind: SpanKind.CONSUMER,
        parent: contextFromHeaders(headers),
        attributes: {
          ...kafkaSpanAttributes(topicName('events'), 'process'),
          'pollcast.event_id': event.eventId,
        },
      }),
    );
    const traceparents = new Map(items.map(({ event }, index) => [event.eventId, spans[index]] as const));
    let recorded;
    try {
      recorded = await this.store.insertWithNotifications(items, (events) =>
        planNotifications(events, randomUUID, this.maxEventsPerNotification).map((notification) => {
          const span = traceparents.get(notification.eventIds[0] ?? '');
          return { ...notification, traceparent: span ? traceparentOf(span) : null };
        }),
      );
    } catch (error) {
      for (const span of spans) endSpan(span, error);
      throw error;
    }
    for (const span of spans) endSpan(span);
    const { newEvents, planned } = recorded;
    this.metrics.eventsRecorded.inc({ kind: 'new' }, newEvents.length);
    this.metrics.eventsRecorded.inc({ kind: 'duplicate' }, incoming.length - newEvents.length);
    if (planned.length > 0) this.onWork();
    return { newEvents: newEvents.length, notifications: planned.length };
  }
}
