import { z } from 'zod';
import { instantSchema, pageSizeSchema } from '@pollcast/service-kit';

/** Event statuses as the API shows them (Open Connectors' names where they exist). */
export const EVENT_STATUSES = ['NEW', 'DISPATCHED', 'NOTIFIED', 'RETRYING', 'QUEUED', 'FAILED'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

// Within what PostgreSQL's timestamptz takes (offsets ±14:00, years 0001–9999), normalized to UTC.
const isoInstant = instantSchema;

export const MAX_EVENTS_PAGE_SIZE = 500;

export const listEventsQuerySchema = z.object({
  /** One status or several, comma-separated (also repeatable). */
  status: z
    .union([z.string(), z.array(z.string())])
    .transform((value) =>
      (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(',')).filter(Boolean),
    )
    .pipe(z.array(z.enum(EVENT_STATUSES)))
    .optional(),
  /** Received at or after (ISO-8601). */
  from: isoInstant.optional(),
  /** Received before (ISO-8601). */
  to: isoInstant.optional(),
  pageSize: pageSizeSchema(MAX_EVENTS_PAGE_SIZE, 100),
  /** The `Elements-Next-Page-Token` of the previous page. */
  nextPage: z.string().max(500).optional(),
});
export type ListEventsQuery = z.infer<typeof listEventsQuerySchema>;

export const redeliverBodySchema = z
  .object({
    /** Replay these events (any status). */
    eventIds: z.array(z.string().min(1).max(500)).min(1).max(1000).optional(),
    /** Replay the events received in [from, to). */
    from: isoInstant.optional(),
    to: isoInstant.optional(),
  })
  .strict();
export type RedeliverBody = z.infer<typeof redeliverBodySchema>;

export interface DeliveryAttemptView {
  notificationId: string;
  attempt: number;
  attemptedAt: string;
  statusCode: number | null;
  latencyMs: number;
  outcome: string;
  error: string | null;
  /** The first bytes the endpoint answered (truncated). */
  responseBody: string | null;
}

export interface EventView {
  id: string;
  instanceId: string;
  elementKey: string;
  eventType: string;
  objectType: string;
  objectId: string;
  eventDate: string;
  receivedDate: string;
  status: EventStatus;
  notificationId: string | null;
  attempts: number;
  lastError: string | null;
  deliveredDate: string | null;
  nextAttemptDate: string | null;
  /** The provider record, as Open Connectors' `providerData`. */
  providerData: unknown;
}

export interface EventDetailView extends EventView {
  deliveryAttempts: DeliveryAttemptView[];
}

export interface RedeliverResult {
  subscriptionReactivated: boolean;
  /** Queued notifications sent again with their original id. */
  requeuedNotifications: number;
  /** Events replayed in new notifications (eventIds / time range). */
  replayedEvents: number;
  replayNotifications: number;
}
