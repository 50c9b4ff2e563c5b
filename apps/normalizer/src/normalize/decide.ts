import type { RawChange } from '@pollcast/contracts';
import { contentHash } from './canonical-json';
import { eventId } from './event-id';
import { readRecordDate, valueAtPath, type RecordDate } from './record-dates';

/** What the normalizer remembers per (instance, resource, objectId). */
export interface RememberedState {
  /** Last updated date seen (epoch ms); null while no record of the object had a readable one. */
  updatedMs: number | null;
  contentHash: string;
  /** A tombstone: the object's last event was DELETED. Absent = false. */
  deleted?: boolean;
  /** Id of the object's last event (chains a deletion and a re-creation to what they follow). */
  lastEventId?: string | null;
}

/** A raw change with its dates read and its content hashed: everything decide() needs but the state. */
export interface PreparedChange {
  change: RawChange;
  /** undefined = the resource has no such field configured. */
  updated: RecordDate | undefined;
  created: RecordDate | undefined;
  contentHash: string;
  windowFromMs: number;
  polledAtMs: number;
  /** The object is gone: a reconciliation did not list it, or its record matches the `flag` rule. */
  deletion: boolean;
}

export function prepareChange(change: RawChange): PreparedChange {
  // A reconciliation's deletion carries no record, so it has no dates to read.
  const readDates = change.deleted !== true;
  return {
    change,
    deletion: change.deleted === true || matchesDeletedFlag(change),
    updated: readDates && change.updated ? readRecordDate(change.record, change.updated) : undefined,
    created: readDates && change.created ? readRecordDate(change.record, change.created) : undefined,
    contentHash: contentHash(change.record),
    windowFromMs: Date.parse(change.window.from),
    polledAtMs: Date.parse(change.polledAt),
  };
}

/** The `flag` rule: the field's value equals the configured one (JSON scalars compared exactly). */
export function matchesDeletedFlag(change: RawChange): boolean {
  if (change.deletedFlag === undefined) return false;
  const value = valueAtPath(change.record, change.deletedFlag.field);
  return value === change.deletedFlag.value;
}

export type SuppressReason = 'before_window' | 'duplicate' | 'stale';
export type EmittedType = 'CREATED' | 'UPDATED' | 'DELETED';

export type Decision =
  | { kind: 'suppress'; reason: SuppressReason }
  | {
      kind: 'emit';
      eventType: EmittedType;
      eventId: string;
      /** The provider's time of the change: updated date, else created date, else polled-at. */
      dateMs: number;
      dateError: string | undefined;
      nextState: RememberedState;
    };

/** How a record compares with what is remembered of its object. */
export type Freshness =
  | 'first' // never seen
  | 'newer' // later updated date
  | 'same_date_new_content' // same updated date, different content (e.g. two edits within a second)
  | 'content_changed' // no comparable dates; the content differs
  | 'duplicate' // nothing changed: an overlap re-read or a redelivery
  | 'stale'; // an older updated date: an out-of-order re-read

export function freshness(
  remembered: RememberedState | undefined,
  updatedMs: number | null,
  hash: string,
): Freshness {
  if (!remembered) return 'first';
  if (updatedMs !== null && remembered.updatedMs !== null) {
    if (updatedMs < remembered.updatedMs) return 'stale';
    if (updatedMs > remembered.updatedMs) return 'newer';
    return hash === remembered.contentHash ? 'duplicate' : 'same_date_new_content';
  }
  return hash === remembered.contentHash ? 'duplicate' : 'content_changed';
}

/**
 * CREATED / UPDATED, following Open Connectors:
 * - a configured date that cannot be read → UPDATED (an upsert is safe for a new object; a false
 *   CREATED for an existing one is not);
 * - both dates read → CREATED when updated - created ≤ tolerance (created later than updated also
 *   counts: the record has not been modified since), else UPDATED;
 * - otherwise (no created field, or no updated field) → CREATED when this instance has never seen the
 *   object, else UPDATED.
 */
export function classify(prepared: PreparedChange, seenBefore: boolean): EmittedType {
  const { updated, created } = prepared;
  if (updated?.ok === false || created?.ok === false) return 'UPDATED';
  if (updated?.ok && created?.ok) {
    const toleranceMs = prepared.change.createdCheckTolerance * 1000;
    return updated.epochMs - created.epochMs <= toleranceMs ? 'CREATED' : 'UPDATED';
  }
  return seenBefore ? 'UPDATED' : 'CREATED';
}

/** The date the poll window filters on: the updated date, or the created date when
 * `filterByUpdatedDate` is false and a created field is configured. */
function filterDate(prepared: PreparedChange): RecordDate | undefined {
  if (!prepared.change.filterByUpdatedDate && prepared.created) return prepared.created;
  return prepared.updated;
}

function dateErrorOf(prepared: PreparedChange): string | undefined {
  const errors = [prepared.updated, prepared.created].flatMap((date) =>
    date && !date.ok ? [date.error] : [],
  );
  return errors.length > 0 ? errors.join('; ') : undefined;
}

/**
 * One raw change against the remembered state of its object: suppress it, or emit one event with its
 * deterministic id and the state to remember once the event is acknowledged.
 */
export function decide(prepared: PreparedChange, remembered: RememberedState | undefined): Decision {
  const { change } = prepared;
  if (change.deleted === true) return decideDeletion(prepared, remembered);
  // "Updated not after the window start → not an event". The poller's window.from already includes
  // its overlap, so overlap re-reads pass here and are suppressed by dedupe below.
  const windowDate = filterDate(prepared);
  if (windowDate?.ok && windowDate.epochMs <= prepared.windowFromMs) {
    return { kind: 'suppress', reason: 'before_window' };
  }
  const updatedMs = prepared.updated?.ok ? prepared.updated.epochMs : null;
  if (remembered?.deleted === true) return decideAfterTombstone(prepared, remembered, updatedMs);
  if (prepared.deletion) return decideDeletion(prepared, remembered);
  const verdict = freshness(remembered, updatedMs, prepared.contentHash);
  if (verdict === 'duplicate' || verdict === 'stale') return { kind: 'suppress', reason: verdict };
  // The content hash joins the id when there is no updated date, or when the updated date is the one
  // already remembered (a second version under the same timestamp needs its own id).
  const hashInId = updatedMs === null || updatedMs === remembered?.updatedMs;
  const created = prepared.created?.ok ? prepared.created.epochMs : undefined;
  const id = eventId({
    instanceId: change.instanceId,
    resource: change.resource,
    objectId: change.objectId,
    updatedMs,
    contentHash: hashInId ? prepared.contentHash : null,
  });
  return {
    kind: 'emit',
    eventType: classify(prepared, remembered !== undefined),
    eventId: id,
    dateMs: updatedMs ?? created ?? prepared.polledAtMs,
    dateError: dateErrorOf(prepared),
    nextState: {
      // A record whose date cannot be read does not erase the last known date (it would let an older
      // re-read through).
      updatedMs: updatedMs ?? remembered?.updatedMs ?? null,
      contentHash: prepared.contentHash,
      deleted: false,
      lastEventId: id,
    },
  };
}

/**
 * The object is gone. One DELETED per deletion: a second report of it (a reconciliation redone after a
 * crash, a flagged record re-read) meets the tombstone and is a duplicate. The id is derived from the
 * event it closes (the object's last event id, or "unknown" when this normalizer never saw the object),
 * so every replica and every retry computes the same one.
 */
function decideDeletion(prepared: PreparedChange, remembered: RememberedState | undefined): Decision {
  const { change } = prepared;
  if (remembered?.deleted === true) return { kind: 'suppress', reason: 'duplicate' };
  const id = eventId({
    instanceId: change.instanceId,
    resource: change.resource,
    objectId: change.objectId,
    updatedMs: null,
    contentHash: `deleted-after:${remembered?.lastEventId ?? 'unknown'}`,
  });
  const updatedMs = prepared.updated?.ok ? prepared.updated.epochMs : null;
  return {
    kind: 'emit',
    eventType: 'DELETED',
    eventId: id,
    // A flagged record has a date of its change; a reconciliation knows only when it noticed.
    dateMs: updatedMs ?? prepared.polledAtMs,
    dateError: change.deleted === true ? undefined : dateErrorOf(prepared),
    nextState: {
      updatedMs: updatedMs ?? remembered?.updatedMs ?? null,
      contentHash: change.deleted === true ? (remembered?.contentHash ?? '') : prepared.contentHash,
      deleted: true,
      lastEventId: id,
    },
  };
}

/**
 * A record of an object whose last event was DELETED. A version no newer than the one remembered at the
 * deletion is a late read of what was deleted (a poll that read it before the reconciliation noticed):
 * stale. Anything else means the object exists again: CREATED, whatever its dates say, with an id
 * chained to the deletion so it never collides with the object's earlier CREATED.
 */
function decideAfterTombstone(
  prepared: PreparedChange,
  remembered: RememberedState,
  updatedMs: number | null,
): Decision {
  const { change } = prepared;
  if (prepared.deletion) return { kind: 'suppress', reason: 'duplicate' };
  if (updatedMs !== null && remembered.updatedMs !== null && updatedMs <= remembered.updatedMs) {
    return { kind: 'suppress', reason: 'stale' };
  }
  const created = prepared.created?.ok ? prepared.created.epochMs : undefined;
  const id = eventId({
    instanceId: change.instanceId,
    resource: change.resource,
    objectId: change.objectId,
    updatedMs,
    contentHash: `recreated-after:${remembered.lastEventId ?? 'unknown'}:${prepared.contentHash}`,
  });
  return {
    kind: 'emit',
    eventType: 'CREATED',
    eventId: id,
    dateMs: updatedMs ?? created ?? prepared.polledAtMs,
    dateError: dateErrorOf(prepared),
    nextState: {
      updatedMs: updatedMs ?? remembered.updatedMs,
      contentHash: prepared.contentHash,
      deleted: false,
      lastEventId: id,
    },
  };
}
