import { HEADERS, objectKey, type RawChange, type StandardEvent } from '@pollcast/contracts';
import type { OutgoingMessage } from '@pollcast/service-kit';
import type { EmittedType } from './decide';

export interface EventFacts {
  eventType: EmittedType;
  eventId: string;
  dateMs: number;
  dateError: string | undefined;
}

const OPERATION: Record<EmittedType, StandardEvent['op']> = { CREATED: 'c', UPDATED: 'u', DELETED: 'd' };

/** The standardized event for one raw change (value of `pollcast.events.v1`). */
export function buildEvent(change: RawChange, facts: EventFacts, producedAtMs: number): StandardEvent {
  const event: StandardEvent = {
    eventId: facts.eventId,
    eventType: facts.eventType,
    objectId: change.objectId,
    objectType: change.resource,
    elementKey: change.elementKey,
    instanceId: change.instanceId,
    organizationId: change.organizationId,
    date: new Date(facts.dateMs).toISOString(),
    pollId: change.pollId,
    raw: change.record,
    op: OPERATION[facts.eventType],
    source: {
      element: change.elementKey,
      instanceId: change.instanceId,
      resource: change.resource,
      pollId: change.pollId,
      window: change.window.to === undefined ? { from: change.window.from } : { ...change.window },
      ts_ms: facts.dateMs,
    },
    ts_ms: producedAtMs,
  };
  if (facts.dateError !== undefined) event.dateError = facts.dateError;
  return event;
}

/** CloudEvents `type`: `pollcast.{resource}.{created|updated|deleted|unknown}`. */
export function cloudEventType(event: Pick<StandardEvent, 'objectType' | 'eventType'>): string {
  return `pollcast.${event.objectType}.${event.eventType.toLowerCase()}`;
}

/** The Kafka message: keyed by object (one object's events stay ordered in one partition), value the
 * event, CloudEvents binary-mode attributes in `ce_*` headers, and the poll id as correlation id. */
export function eventMessage(event: StandardEvent): OutgoingMessage {
  return {
    key: objectKey(event.instanceId, event.objectType, event.objectId),
    value: event,
    headers: {
      [HEADERS.ceSpecVersion]: '1.0',
      [HEADERS.ceId]: event.eventId,
      [HEADERS.ceSource]: `/instances/${event.instanceId}`,
      [HEADERS.ceType]: cloudEventType(event),
      [HEADERS.ceTime]: event.date,
      [HEADERS.ceSubject]: event.objectId,
      [HEADERS.contentType]: 'application/json',
      [HEADERS.correlationId]: event.pollId,
    },
  };
}
