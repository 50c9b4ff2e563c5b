import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { topicName, type StandardEvent } from '@pollcast/contracts';
import {
  contextFromHeaders,
  endSpan,
  kafkaSpanAttributes,
  SpanKind,
  startSpan,
  traceparentOf,
  type Span,
} from '@pollcast/telemetry';
import { planNotifications, type PlannedNotification } from './notification-body';

export interface IncomingEvent {
  event: StandardEvent;
  correlationId: string | undefined;
  /** The message's Kafka headers: the poll's trace context travels in them. */
  headers?: Readonly<Record<string, string>>;
}

export interface RecordResult {
  /** Events seen for the first time (a Kafka redelivery or a re-poll of the same change adds none). */
  newEvents: number;
  notifications: number;
}

/** Inserts planned notifications; they start QUEUED when the instance's subscription is deactivated. */
export async function insertNotifications(
  manager: EntityManager,
  planned: ReadonlyArray<PlannedNotification>,
): Promise<void> {
  if (planned.length === 0) return;
  await manager.query(
    `INSERT INTO notifications (id, instance_id, organization_id, resource, event_ids, body, status, last_error,
       traceparent)
     SELECT u.id, u.instance_id, u.organization_id, u.resource,
       ARRAY(SELECT jsonb_array_elements_text(u.event_ids)), u.body,
       CASE WHEN s.active = false THEN 'QUEUED' ELSE 'PENDING' END,
       CASE WHEN s.active = false THEN 'subscription deactivated; redeliver to resume' END,
       u.traceparent
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::text[])
       AS u(id, instance_id, organization_id, resource, event_ids, body, traceparent)
     LEFT JOIN subscriptions s ON s.instance_id = u.instance_id`,
    [
      planned.map((notification) => notification.id),
      planned.map((notification) => notification.instanceId),
      planned.map((notification) => notification.organizationId),
      planned.map((notification) => notification.resource),
      planned.map((notification) => JSON.stringify(notification.eventIds)),
      planned.map((notification) => notification.body),
      planned.map((notification) => notification.traceparent ?? null),
    ],
  );
  const eventIds: string[] = [];
  const notificationIds: string[] = [];
  for (const notification of planned) {
    for (const eventId of notification.eventIds) {
      eventIds.push(eventId);
      notificationIds.push(notification.id);
    }
  }
  await manager.query(
    `UPDATE events SET notification_id = u.notification_id
     FROM unnest($1::text[], $2::uuid[]) AS u(event_id, notification_id)
     WHERE events.event_id = u.event_id`,
    [eventIds, notificationIds],
  );
}

/**
 * The consumer's whole job: record the events and their notifications as pending, in one
 * transaction. Sending happens in the worker pool, so a slow endpoint never holds a partition.
 */
export async function recordEvents(
  dataSource: DataSource,
  incoming: ReadonlyArray<IncomingEvent>,
  maxEventsPerNotification: number,
): Promise<RecordResult> {
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
  try {
    const result = await recordInTransaction(dataSource, items, spans, maxEventsPerNotification);
    for (const span of spans) endSpan(span);
    return result;
  } catch (error) {
    for (const span of spans) endSpan(span, error);
    throw error;
  }
}

function recordInTransaction(
  dataSource: DataSource,
  items: ReadonlyArray<IncomingEvent>,
  spans: ReadonlyArray<Span>,
  maxEventsPerNotification: number,
): Promise<RecordResult> {
  return dataSource.transaction(async (manager) => {
    const inserted: { event_id: string }[] = await manager.query(
      `INSERT INTO events (event_id, instance_id, organization_id, element_key, resource, object_id, event_type,
         event_date, correlation_id, event)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::timestamptz[], $9::text[], $10::jsonb[])
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id`,
      [
        items.map(({ event }) => event.eventId),
        items.map(({ event }) => event.instanceId),
        items.map(({ event }) => event.organizationId),
        items.map(({ event }) => event.elementKey),
        items.map(({ event }) => event.objectType),
        items.map(({ event }) => event.objectId),
        items.map(({ event }) => event.eventType),
        items.map(({ event }) => event.date),
        items.map(({ correlationId }) => correlationId ?? null),
        items.map(({ event }) => JSON.stringify(event)),
      ],
    );
    const fresh = new Set(inserted.map((row) => row.event_id));
    const newEvents = items.filter(({ event }) => fresh.has(event.eventId)).map(({ event }) => event);
    const traceparents = new Map<string, string | null>();
    items.forEach(({ event }, index) => {
      const span = spans[index];
      traceparents.set(event.eventId, span ? traceparentOf(span) : null);
    });
    const planned = planNotifications(newEvents, randomUUID, maxEventsPerNotification).map(
      (notification) => ({
        ...notification,
        traceparent: traceparents.get(notification.eventIds[0] ?? '') ?? null,
      }),
    );
    await insertNotifications(manager, planned);
    return { newEvents: newEvents.length, notifications: planned.length };
  });
}
