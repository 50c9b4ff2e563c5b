import type { DataSource, EntityManager } from 'typeorm';
import type { StandardEvent } from '@pollcast/contracts';
import type { PlannedNotification } from './notification-body';

export interface IncomingEvent {
  event: StandardEvent;
  correlationId: string | undefined;
  /** The message's Kafka headers: the poll's trace context travels in them. */
  headers?: Readonly<Record<string, string>>;
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

/** The events table as the consumer writes it: each event once, with the notifications that carry it. */
export class EventStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * In one transaction: inserts the events not recorded before (a redelivered event id adds nothing),
   * then the notifications `plan` makes of those new events. Returns what was new and planned.
   */
  insertWithNotifications(
    items: ReadonlyArray<IncomingEvent>,
    plan: (newEvents: StandardEvent[]) => PlannedNotification[],
  ): Promise<{ newEvents: StandardEvent[]; planned: PlannedNotification[] }> {
    return this.dataSource.transaction(async (manager) => {
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
      const planned = plan(newEvents);
      await insertNotifications(manager, planned);
      return { newEvents, planned };
    });
  }
}
