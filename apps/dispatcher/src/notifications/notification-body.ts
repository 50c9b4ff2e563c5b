import type { StandardEvent } from '@pollcast/contracts';

/** Open Connectors' limit of events per polling notification. */
export const MAX_EVENTS_PER_NOTIFICATION = 10;

/** One normalized event inside a notification, as Open Connectors clients parse it. */
export interface NotifiedEvent {
  eventType: string;
  objectId: string;
  objectType: string;
  elementKey: string;
  date: string;
}

/** The callback body: `{"message": {...}}` in Open Connectors' shape. */
export interface NotificationBody {
  message: {
    eventId: string;
    instanceId: string;
    elementKey: string;
    events: NotifiedEvent[];
    raw: { instance_id: string; objectType: string } & Record<string, unknown>;
  };
}

/** A notification ready to store: its id (= `eventId` in the body = `webhook-id`) and exact bytes. */
export interface PlannedNotification {
  id: string;
  instanceId: string;
  organizationId: string;
  elementKey: string;
  resource: string;
  eventIds: string[];
  /** The exact JSON text sent on every attempt, so retries carry identical bytes and signatures. */
  body: string;
  /** The trace its delivery continues (its first event's): see docs/tracing.md. */
  traceparent?: string | null;
  /** Its oldest event's date (ISO 8601): the delivery-latency metric starts there. Kept on the row so a
   * claim does not look the events up again. */
  oldestEventAt: string;
}

/** Events of one instance and resource in arrival order. */
function groupByInstanceAndResource(events: ReadonlyArray<StandardEvent>): StandardEvent[][] {
  const groups = new Map<string, StandardEvent[]>();
  for (const event of events) {
    const key = `${event.instanceId}\u0000${event.objectType}`;
    const group = groups.get(key);
    if (group) group.push(event);
    else groups.set(key, [event]);
  }
  return [...groups.values()];
}

export function notificationBody(id: string, events: ReadonlyArray<StandardEvent>): NotificationBody {
  const first = events[0];
  if (!first) throw new Error('a notification needs at least one event');
  return {
    message: {
      eventId: id,
      instanceId: first.instanceId,
      elementKey: first.elementKey,
      events: events.map((event) => ({
        eventType: event.eventType,
        objectId: event.objectId,
        objectType: event.objectType,
        elementKey: event.elementKey,
        date: event.date,
      })),
      // `raw` is keyed by the resource name, as Open Connectors does; objectType repeats it.
      raw: {
        instance_id: first.instanceId,
        objectType: first.objectType,
        [first.objectType]: events.map((event) => event.raw),
      },
    },
  };
}

/**
 * Groups what is in hand by (instance, resource), keeping arrival order, and cuts each group into
 * notifications of at most `maxEvents`. Nothing waits for more events: latency stays one fetch.
 */
export function planNotifications(
  events: ReadonlyArray<StandardEvent>,
  newId: () => string,
  maxEvents = MAX_EVENTS_PER_NOTIFICATION,
): PlannedNotification[] {
  const planned: PlannedNotification[] = [];
  for (const group of groupByInstanceAndResource(events)) {
    for (let start = 0; start < group.length; start += maxEvents) {
      const chunk = group.slice(start, start + maxEvents);
      const first = chunk[0];
      if (!first) continue;
      const id = newId();
      planned.push({
        id,
        instanceId: first.instanceId,
        organizationId: first.organizationId,
        elementKey: first.elementKey,
        resource: first.objectType,
        eventIds: chunk.map((event) => event.eventId),
        body: JSON.stringify(notificationBody(id, chunk)),
        oldestEventAt: new Date(Math.min(...chunk.map((event) => Date.parse(event.date)))).toISOString(),
      });
    }
  }
  return planned;
}
