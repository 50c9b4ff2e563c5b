import type { DataSource, EntityManager } from 'typeorm';
import { findUnstorableText, type StandardEvent } from '@pollcast/contracts';
import { copyRowsIn, copyTextRow, TransientConsumerError } from '@pollcast/service-kit';
import type { PlannedNotification } from './notification-body';

export interface IncomingEvent {
  event: StandardEvent;
  correlationId: string | undefined;
  /** The message's Kafka headers: the poll's trace context travels in them. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Inserts planned notifications; they start QUEUED when the instance's subscription is deactivated.
 * The rows travel as one JSON document (`json_to_recordset`): one native JSON.stringify instead of pg's
 * per-element array escaping of every body, which showed in the dispatcher's profile.
 */
export async function insertNotifications(
  manager: EntityManager,
  planned: ReadonlyArray<PlannedNotification>,
): Promise<void> {
  if (planned.length === 0) return;
  await manager.query(
    `INSERT INTO notifications (id, instance_id, organization_id, resource, event_ids, body, status, last_error,
       traceparent, oldest_event_at)
     SELECT u.id, u.instance_id, u.organization_id, u.resource, u.event_ids, u.body,
       CASE WHEN s.active = false THEN 'QUEUED' ELSE 'PENDING' END,
       CASE WHEN s.active = false THEN 'subscription deactivated; redeliver to resume' END,
       u.traceparent, u.oldest_event_at
     FROM json_to_recordset($1::json)
       AS u(id uuid, instance_id text, organization_id text, resource text, event_ids text[], body text,
            traceparent text, oldest_event_at timestamptz)
     LEFT JOIN subscriptions s ON s.instance_id = u.instance_id`,
    [
      JSON.stringify(
        planned.map((notification) => ({
          id: notification.id,
          instance_id: notification.instanceId,
          organization_id: notification.organizationId,
          resource: notification.resource,
          event_ids: notification.eventIds,
          body: notification.body,
          traceparent: notification.traceparent ?? null,
          oldest_event_at: notification.oldestEventAt,
        })),
      ),
    ],
  );
}

/** Points events already recorded (a replay) at the notification that now carries them. */
export async function linkEventsToNotifications(
  manager: EntityManager,
  planned: ReadonlyArray<PlannedNotification>,
): Promise<void> {
  const eventIds: string[] = [];
  const notificationIds: string[] = [];
  for (const notification of planned) {
    for (const eventId of notification.eventIds) {
      eventIds.push(eventId);
      notificationIds.push(notification.id);
    }
  }
  if (eventIds.length === 0) return;
  await manager.query(
    `UPDATE events SET notification_id = u.notification_id
     FROM unnest($1::text[], $2::uuid[]) AS u(event_id, notification_id)
     WHERE events.event_id = u.event_id`,
    [eventIds, notificationIds],
  );
}

const EVENT_COLUMNS = `event_id, instance_id, organization_id, element_key, resource, object_id, event_type,
  event_date, correlation_id, event, notification_id`;

/**
 * Inserts events none of which is recorded yet. The rows go in with COPY (half PostgreSQL's CPU of the
 * `json_to_recordset` insert, BENCHMARKS.md); a batch holding text PostgreSQL cannot store (U+0000, a
 * lone surrogate: only events put on the topic by something other than our normalizer) takes the
 * `json_to_recordset` insert instead, so PostgreSQL refuses it with its own error as before (22P05 /
 * 22P02: deterministic, the poison event is dead-lettered) rather than COPY storing `json` escapes.
 * A consumer that inserted some of the same events meanwhile (a rebalance) makes either fail: the
 * transaction is rolled back and the batch retried, and the retry sees those events as recorded.
 */
async function insertEvents(
  manager: EntityManager,
  fresh: ReadonlyArray<IncomingEvent>,
  notificationOf: ReadonlyMap<string, string>,
): Promise<void> {
  const concurrently = (count: string) =>
    new TransientConsumerError(
      `${count} of ${fresh.length} events were recorded concurrently (a rebalance); retrying the batch`,
      'events_recorded_concurrently',
    );
  if (fresh.some(({ event, correlationId }) => findUnstorableText([event, correlationId]) !== undefined)) {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO events (${EVENT_COLUMNS})
       SELECT r.event_id, r.instance_id, r.organization_id, r.element_key, r.resource, r.object_id,
         r.event_type, r.event_date, r.correlation_id, r.event, r.notification_id
       FROM json_to_recordset($1::json) AS r(event_id text, instance_id text, organization_id text,
         element_key text, resource text, object_id text, event_type text, event_date timestamptz,
         correlation_id text, event json, notification_id uuid)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING 1`,
      [
        JSON.stringify(
          fresh.map(({ event, correlationId }) => ({
            event_id: event.eventId,
            instance_id: event.instanceId,
            organization_id: event.organizationId,
            element_key: event.elementKey,
            resource: event.objectType,
            object_id: event.objectId,
            event_type: event.eventType,
            event_date: event.date,
            correlation_id: correlationId ?? null,
            event,
            notification_id: notificationOf.get(event.eventId) ?? null,
          })),
        ),
      ],
    );
    if (inserted.length !== fresh.length) throw concurrently(String(fresh.length - inserted.length));
    return;
  }
  let rows = '';
  for (const { event, correlationId } of fresh) {
    rows += copyTextRow([
      event.eventId,
      event.instanceId,
      event.organizationId,
      event.elementKey,
      event.objectType,
      event.objectId,
      event.eventType,
      event.date,
      correlationId ?? null,
      JSON.stringify(event),
      notificationOf.get(event.eventId) ?? null,
    ]);
  }
  try {
    await copyRowsIn(manager, `events (${EVENT_COLUMNS})`, rows);
  } catch (error) {
    const { code, constraint } = error as { code?: unknown; constraint?: unknown };
    if (code === '23505' && constraint === 'events_pkey') throw concurrently('some');
    throw error;
  }
}

/** The events table as the consumer writes it: each event once, with the notifications that carry it. */
export class EventStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * In one transaction: the events not recorded before (a redelivered event id adds nothing) are
   * planned into notifications, then inserted already pointing at their notification, then the
   * notifications. Returns what was new and planned.
   *
   * Planning before inserting saves an UPDATE of every event row (a new row version and three index
   * entries each — the costliest statement of the e2e bench).
   */
  insertWithNotifications(
    items: ReadonlyArray<IncomingEvent>,
    plan: (newEvents: StandardEvent[]) => PlannedNotification[],
  ): Promise<{ newEvents: StandardEvent[]; planned: PlannedNotification[] }> {
    return this.dataSource.transaction(async (manager) => {
      const known: { event_id: string }[] = await manager.query(
        `SELECT event_id FROM events WHERE event_id = ANY($1::text[])`,
        [items.map(({ event }) => event.eventId)],
      );
      const recorded = new Set(known.map((row) => row.event_id));
      const fresh = items.filter(({ event }) => !recorded.has(event.eventId));
      const newEvents = fresh.map(({ event }) => event);
      const planned = plan(newEvents);
      const notificationOf = new Map<string, string>();
      for (const notification of planned) {
        for (const eventId of notification.eventIds) notificationOf.set(eventId, notification.id);
      }
      if (fresh.length > 0) await insertEvents(manager, fresh, notificationOf);
      await insertNotifications(manager, planned);
      return { newEvents, planned };
    });
  }
}
