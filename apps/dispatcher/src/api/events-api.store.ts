import type { DataSource } from 'typeorm';
import { returnedRows } from '../database/rows';
import { insertNotifications, linkEventsToNotifications } from '../notifications/event.store';
import type { PlannedNotification } from '../notifications/notification-body';
import type { EventStatus } from './events-api.schemas';

// Notification status → event status as the API names it.
const EVENT_STATUS_SQL = `CASE
  WHEN n.status IS NULL OR n.status = 'PENDING' THEN 'NEW'
  WHEN n.status = 'SENDING' THEN 'DISPATCHED'
  WHEN n.status = 'DELIVERED' THEN 'NOTIFIED'
  ELSE n.status END`;

const EVENT_COLUMNS = `e.event_id, e.instance_id, e.element_key, e.event_type, e.resource, e.object_id,
  e.event_date, e.received_at, e.received_at::text AS received_cursor, e.notification_id, e.event -> 'raw' AS raw,
  ${EVENT_STATUS_SQL} AS status, COALESCE(n.attempts, 0) AS attempts, n.last_error, n.delivered_at,
  CASE WHEN n.status IN ('PENDING', 'RETRYING') THEN n.next_attempt_at END AS next_attempt_at`;

export interface EventRow {
  event_id: string;
  instance_id: string;
  element_key: string;
  event_type: string;
  resource: string;
  object_id: string;
  event_date: Date;
  received_at: Date;
  received_cursor: string;
  notification_id: string | null;
  raw: unknown;
  status: EventStatus;
  attempts: number;
  last_error: string | null;
  delivered_at: Date | null;
  next_attempt_at: Date | null;
}

export interface AttemptRow {
  notification_id: string;
  attempt: number;
  attempted_at: Date;
  status_code: number | null;
  latency_ms: number;
  outcome: string;
  error: string | null;
  response_body: string | null;
}

export interface EventFilter {
  status?: EventStatus[];
  from?: string;
  to?: string;
  /** `[received_at as text, event_id]` of the last row of the previous page. */
  before?: [string, string];
  limit: number;
}

/** Which stored events a replay sends again: by id and/or received time. */
export interface ReplaySelectors {
  eventIds?: string[];
  from?: string;
  to?: string;
  limit: number;
}

export interface RedeliverOutcome {
  subscriptionReactivated: boolean;
  requeuedNotifications: number;
  replayedEvents: number;
  replayNotifications: number;
}

/** The events API's SQL: the delivery log of events and attempts, and redelivery / replay. */
export class EventsApiStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first; one organization's events of one instance. */
  list(instanceId: string, organizationId: string, filter: EventFilter): Promise<EventRow[]> {
    const params: unknown[] = [instanceId, organizationId];
    const conditions = ['e.instance_id = $1', 'e.organization_id = $2'];
    if (filter.status && filter.status.length > 0) {
      params.push(filter.status);
      conditions.push(`(${EVENT_STATUS_SQL}) = ANY($${params.length}::text[])`);
    }
    if (filter.from) {
      params.push(filter.from);
      conditions.push(`e.received_at >= $${params.length}::timestamptz`);
    }
    if (filter.to) {
      params.push(filter.to);
      conditions.push(`e.received_at < $${params.length}::timestamptz`);
    }
    if (filter.before) {
      const [receivedAt, eventId] = filter.before;
      params.push(receivedAt, eventId);
      conditions.push(
        `(e.received_at, e.event_id) < ($${params.length - 1}::timestamptz, $${params.length})`,
      );
    }
    params.push(filter.limit);
    return this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events e LEFT JOIN notifications n ON n.id = e.notification_id
       WHERE ${conditions.join(' AND ')}
       ORDER BY e.received_at DESC, e.event_id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async find(eventId: string, organizationId: string): Promise<EventRow | undefined> {
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events e LEFT JOIN notifications n ON n.id = e.notification_id
       WHERE e.event_id = $1 AND e.organization_id = $2`,
      [eventId, organizationId],
    );
    return rows[0];
  }

  /** Every delivery attempt of every notification of the instance that carried the event. */
  attemptsOf(instanceId: string, eventId: string): Promise<AttemptRow[]> {
    return this.dataSource.query(
      `SELECT a.notification_id, a.attempt, a.attempted_at, a.status_code, a.latency_ms, a.outcome, a.error, a.response_body
       FROM notifications n JOIN delivery_attempts a ON a.notification_id = n.id
       WHERE n.instance_id = $1 AND n.event_ids @> ARRAY[$2]::text[]
       ORDER BY a.attempted_at, a.id`,
      [instanceId, eventId],
    );
  }

  /**
   * In one transaction: reactivates the subscription; then without selectors requeues the queued
   * notifications, with selectors inserts the notifications `planReplay` makes of the selected events
   * (it may throw to refuse them) and fails queued ones that carry only replayed events.
   */
  redeliver(
    instanceId: string,
    organizationId: string,
    selectors: ReplaySelectors | undefined,
    planReplay: (events: unknown[]) => { eventIds: string[]; planned: PlannedNotification[] },
  ): Promise<RedeliverOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const reactivated = returnedRows(
        await manager.query(
          `UPDATE subscriptions SET active = true, deactivated_at = NULL, reason = NULL
         WHERE instance_id = $1 AND active = false RETURNING instance_id`,
          [instanceId],
        ),
      );
      if (!selectors) {
        const requeued = returnedRows(
          await manager.query(
            `UPDATE notifications SET status = 'PENDING', attempts = 0, next_attempt_at = now(), last_error = NULL,
             updated_at = now()
           WHERE instance_id = $1 AND status = 'QUEUED' RETURNING id`,
            [instanceId],
          ),
        );
        return {
          subscriptionReactivated: reactivated.length > 0,
          requeuedNotifications: requeued.length,
          replayedEvents: 0,
          replayNotifications: 0,
        };
      }
      const params: unknown[] = [instanceId, organizationId];
      const conditions = ['instance_id = $1', 'organization_id = $2'];
      if (selectors.eventIds) {
        params.push(selectors.eventIds);
        conditions.push(`event_id = ANY($${params.length}::text[])`);
      }
      if (selectors.from) {
        params.push(selectors.from);
        conditions.push(`received_at >= $${params.length}::timestamptz`);
      }
      if (selectors.to) {
        params.push(selectors.to);
        conditions.push(`received_at < $${params.length}::timestamptz`);
      }
      params.push(selectors.limit);
      const rows: { event: unknown }[] = await manager.query(
        `SELECT event FROM events WHERE ${conditions.join(' AND ')} ORDER BY received_at, event_id LIMIT $${params.length}`,
        params,
      );
      const { eventIds, planned } = planReplay(rows.map((row) => row.event));
      await insertNotifications(manager, planned);
      await linkEventsToNotifications(manager, planned);
      // A queued notification whose every event is now replayed would only send duplicates.
      await manager.query(
        `UPDATE notifications SET status = 'FAILED', last_error = 'superseded by a replay', updated_at = now()
         WHERE instance_id = $1 AND status = 'QUEUED' AND event_ids <@ $2::text[]`,
        [instanceId, eventIds],
      );
      return {
        subscriptionReactivated: reactivated.length > 0,
        requeuedNotifications: 0,
        replayedEvents: eventIds.length,
        replayNotifications: planned.length,
      };
    });
  }
}
