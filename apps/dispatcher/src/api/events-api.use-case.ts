import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  DomainError,
  ErrorCode,
  pageTokenCodec,
  RequestValidationError,
  unstorableTextReason,
} from '@pollcast/service-kit';
import { standardEventSchema } from '@pollcast/contracts';
import type { Principal } from '@pollcast/tenant-auth';
import { planNotifications } from '../notifications/notification-body';
import type { InstanceSettingsStore } from '../settings/instance-settings.store';
import type { DeliveryInfoCache } from '../settings/delivery-info.cache';
import type { EventRow, EventsApiStore } from './events-api.store';
import type {
  DeliveryAttemptView,
  EventDetailView,
  EventView,
  ListEventsQuery,
  RedeliverBody,
  RedeliverResult,
} from './events-api.schemas';

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

// `received_at::text` as PostgreSQL writes it (ISO style, UTC session): what the token carries.
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/** A page ends at (received_at, event_id) of its last row. */
const eventsPage = pageTokenCodec(
  z.tuple([
    z.string().regex(CURSOR_TIME),
    z
      .string()
      .max(500)
      .refine((id) => unstorableTextReason(id) === undefined),
  ]),
  { summary: 'nextPage is not a page token this API issued', message: 'unknown page token' },
);

const notFound = (what: string) => new DomainError(ErrorCode.NOT_FOUND, `${what} not found`, 404);

/** The events API's use cases: list, show with delivery attempts, redeliver / replay. */
export class EventsApi {
  constructor(
    private readonly store: EventsApiStore,
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
    const cursor = query.nextPage ? eventsPage.decode(query.nextPage) : undefined;
    await this.assertInstanceOf(principal, instanceId);
    const rows = await this.store.list(instanceId, principal.organizationId, {
      status: query.status,
      from: query.from,
      to: query.to,
      before: cursor,
      limit: query.pageSize + 1,
    });
    const page = rows.slice(0, query.pageSize);
    const last = page.at(-1);
    return {
      events: page.map(toView),
      nextPage:
        rows.length > query.pageSize && last
          ? eventsPage.encode([last.received_cursor, last.event_id])
          : null,
    };
  }

  /** One event with every delivery attempt of every notification that carried it. */
  async get(principal: Principal, instanceId: string | null, eventId: string): Promise<EventDetailView> {
    if (instanceId !== null) await this.assertInstanceOf(principal, instanceId);
    const row = await this.store.find(eventId, principal.organizationId);
    if (!row || (instanceId !== null && row.instance_id !== instanceId)) throw notFound(`Event ${eventId}`);
    if (principal.instanceId !== null && row.instance_id !== principal.instanceId)
      throw notFound(`Event ${eventId}`);
    const attempts = await this.store.attemptsOf(row.instance_id, eventId);
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
    const selective = body.eventIds !== undefined || body.from !== undefined || body.to !== undefined;
    const selectors = selective
      ? { eventIds: body.eventIds, from: body.from, to: body.to, limit: MAX_REPLAY_EVENTS + 1 }
      : undefined;
    const result = await this.store.redeliver(instanceId, principal.organizationId, selectors, (stored) => {
      if (stored.length > MAX_REPLAY_EVENTS) {
        throw new RequestValidationError(
          `At most ${MAX_REPLAY_EVENTS} events can be replayed at once; narrow the range`,
          [{ path: 'from', message: 'range too wide' }],
        );
      }
      const events = stored.map((event) => standardEventSchema.parse(event));
      return {
        eventIds: events.map((event) => event.eventId),
        planned: planNotifications(events, randomUUID),
      };
    });
    this.onWork();
    return result;
  }
}
