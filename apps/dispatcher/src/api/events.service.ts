import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DomainError, ErrorCode, RequestValidationError, unstorableTextReason } from '@pollcast/service-kit';
import { standardEventSchema } from '@pollcast/contracts';
import type { Principal } from '@pollcast/tenant-auth';
import { returnedRows } from '../database/rows';
import { planNotifications } from '../notifications/notification-body';
import { insertNotifications } from '../notifications/notification-writer';
import type { InstanceSettingsStore } from '../settings/instance-settings.store';
import type { DeliveryInfoCache } from '../settings/delivery-info.cache';
import type {
  DeliveryAttemptView,
  EventDetailView,
  EventStatus,
  EventView,
  ListEventsQuery,
  RedeliverBody,
  RedeliverResult,
} from './events-api.schemas';

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

interface EventRow {
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

const MAX_REPLAY_EVENTS = 10_000;

function toView(row: EventRow): EventView {
  return {
    id: row.event_id,
    instanceId: row.instance_id,
    elementKey: row.element_key,
    eventType: row.event_type,
    objectType: row.resource,
    objectId: row.object_id,
    eventDate: row.event_date.toISOString(),
    receivedDate: row.received_at.toISOString(),
    status: row.status,
    notificationId: row.notification_id,
    attempts: row.attempts,
    lastError: row.last_error,
    deliveredDate: row.delivered_at?.toISOString() ?? null,
    nextAttemptDate: row.next_attempt_at?.toISOString() ?? null,
    providerData: row.raw,
  };
}

function encodeCursor(row: EventRow): string {
  return Buffer.from(JSON.stringify([row.received_cursor, row.event_id])).toString('base64url');
}

// `received_at::text` as PostgreSQL writes it (ISO style, UTC session): what encodeCursor put in.
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

function decodeCursor(token: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    // A forged token must not reach SQL with a time or id PostgreSQL refuses.
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      CURSOR_TIME.test(value[0]) &&
      value[1].length <= 500 &&
      unstorableTextReason(value[1]) === undefined
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // falls through to the validation error
  }
  throw new RequestValidationError('nextPage is not a page token this API issued', [
    { path: 'nextPage', message: 'unknown page token' },
  ]);
}

const notFound = (what: string) => new DomainError(ErrorCode.NOT_FOUND, `${what} not found`, 404);

/** The events API's use cases: list, show with delivery attempts, redeliver / replay. */
export class EventsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: InstanceSettingsStore,
    private readonly instanceService: DeliveryInfoCache,
    private readonly onWork: () => void,
  ) {}

  /** Another organization's instance is indistinguishable from a missing one (404). */
  async assertInstanceOf(principal: Principal, instanceId: string): Promise<void> {
    if (principal.instanceId !== null && principal.instanceId !== instanceId)
      throw notFound(`Instance ${instanceId}`);
    const known = await this.settings.get(instanceId);
    const organizationId =
      known?.organizationId ?? (await this.instanceService.deliveryInfo(instanceId))?.organizationId;
    if (organizationId !== principal.organizationId) throw notFound(`Instance ${instanceId}`);
  }

  async list(
    principal: Principal,
    instanceId: string,
    query: ListEventsQuery,
  ): Promise<{ events: EventView[]; nextPage: string | null }> {
    // Input first: a forged page token is a 400 whether or not the instance exists.
    const cursor = query.nextPage ? decodeCursor(query.nextPage) : undefined;
    await this.assertInstanceOf(principal, instanceId);
    const params: unknown[] = [instanceId, principal.organizationId];
    const conditions = ['e.instance_id = $1', 'e.organization_id = $2'];
    if (query.status && query.status.length > 0) {
      params.push(query.status);
      conditions.push(`(${EVENT_STATUS_SQL}) = ANY($${params.length}::text[])`);
    }
    if (query.from) {
      params.push(query.from);
      conditions.push(`e.received_at >= $${params.length}::timestamptz`);
    }
    if (query.to) {
      params.push(query.to);
      conditions.push(`e.received_at < $${params.length}::timestamptz`);
    }
    if (cursor) {
      const [receivedAt, eventId] = cursor;
      params.push(receivedAt, eventId);
      conditions.push(
        `(e.received_at, e.event_id) < ($${params.length - 1}::timestamptz, $${params.length})`,
      );
    }
    params.push(query.pageSize + 1);
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events e LEFT JOIN notifications n ON n.id = e.notification_id
       WHERE ${conditions.join(' AND ')}
       ORDER BY e.received_at DESC, e.event_id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      events: page.map(toView),
      nextPage: rows.length > query.pageSize && last ? encodeCursor(last) : null,
    };
  }

  /** One event with every delivery attempt of every notification that carried it. */
  async get(principal: Principal, instanceId: string | null, eventId: string): Promise<EventDetailView> {
    if (instanceId !== null) await this.assertInstanceOf(principal, instanceId);
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events e LEFT JOIN notifications n ON n.id = e.notification_id
       WHERE e.event_id = $1 AND e.organization_id = $2`,
      [eventId, principal.organizationId],
    );
    const row = rows[0];
    if (!row || (instanceId !== null && row.instance_id !== instanceId)) throw notFound(`Event ${eventId}`);
    if (principal.instanceId !== null && row.instance_id !== principal.instanceId)
      throw notFound(`Event ${eventId}`);
    const attempts: {
      notification_id: string;
      attempt: number;
      attempted_at: Date;
      status_code: number | null;
      latency_ms: number;
      outcome: string;
      error: string | null;
      response_body: string | null;
    }[] = await this.dataSource.query(
      `SELECT a.notification_id, a.attempt, a.attempted_at, a.status_code, a.latency_ms, a.outcome, a.error, a.response_body
       FROM notifications n JOIN delivery_attempts a ON a.notification_id = n.id
       WHERE n.instance_id = $1 AND n.event_ids @> ARRAY[$2]::text[]
       ORDER BY a.attempted_at, a.id`,
      [row.instance_id, eventId],
    );
    const deliveryAttempts: DeliveryAttemptView[] = attempts.map((attempt) => ({
      notificationId: attempt.notification_id,
      attempt: attempt.attempt,
      attemptedAt: attempt.attempted_at.toISOString(),
      statusCode: attempt.status_code,
      latencyMs: attempt.latency_ms,
      outcome: attempt.outcome,
      error: attempt.error,
      responseBody: attempt.response_body,
    }));
    return { ...toView(row), deliveryAttempts };
  }

  /**
   * Reactivates the subscription. Without selectors, queued notifications are sent again with their
   * original id (same `webhook-id`: receivers dedupe). With event ids or a time range, those events
   * are replayed in new notifications, whatever their status.
   */
  async redeliver(principal: Principal, instanceId: string, body: RedeliverBody): Promise<RedeliverResult> {
    await this.assertInstanceOf(principal, instanceId);
    const result = await this.dataSource.transaction(async (manager) => {
      const reactivated = returnedRows(
        await manager.query(
          `UPDATE subscriptions SET active = true, deactivated_at = NULL, reason = NULL
         WHERE instance_id = $1 AND active = false RETURNING instance_id`,
          [instanceId],
        ),
      );
      const selective = body.eventIds !== undefined || body.from !== undefined || body.to !== undefined;
      if (!selective) {
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
      const params: unknown[] = [instanceId, principal.organizationId];
      const conditions = ['instance_id = $1', 'organization_id = $2'];
      if (body.eventIds) {
        params.push(body.eventIds);
        conditions.push(`event_id = ANY($${params.length}::text[])`);
      }
      if (body.from) {
        params.push(body.from);
        conditions.push(`received_at >= $${params.length}::timestamptz`);
      }
      if (body.to) {
        params.push(body.to);
        conditions.push(`received_at < $${params.length}::timestamptz`);
      }
      params.push(MAX_REPLAY_EVENTS + 1);
      const rows: { event: unknown }[] = await manager.query(
        `SELECT event FROM events WHERE ${conditions.join(' AND ')} ORDER BY received_at, event_id LIMIT $${params.length}`,
        params,
      );
      if (rows.length > MAX_REPLAY_EVENTS) {
        throw new RequestValidationError(
          `At most ${MAX_REPLAY_EVENTS} events can be replayed at once; narrow the range`,
          [{ path: 'from', message: 'range too wide' }],
        );
      }
      const events = rows.map((row) => standardEventSchema.parse(row.event));
      const planned = planNotifications(events, randomUUID);
      await insertNotifications(manager, planned);
      const replayedIds = events.map((event) => event.eventId);
      // A queued notification whose every event is now replayed would only send duplicates.
      await manager.query(
        `UPDATE notifications SET status = 'FAILED', last_error = 'superseded by a replay', updated_at = now()
         WHERE instance_id = $1 AND status = 'QUEUED' AND event_ids <@ $2::text[]`,
        [instanceId, replayedIds],
      );
      return {
        subscriptionReactivated: reactivated.length > 0,
        requeuedNotifications: 0,
        replayedEvents: events.length,
        replayNotifications: planned.length,
      };
    });
    this.onWork();
    return result;
  }
}
