// Where a page of a sorted query ends, and the opaque PageKey that carries it to the next request.
import type { EntityName, StoredRecord } from './entities';
import { isPlainObject, OctopusError, orderSignature, type Comparable, type SortField } from './query';

/** Nulls sort first in ascending order (and last in descending). */
function compareValues(a: Comparable | null, b: Comparable | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareRecords(order: readonly SortField[], a: StoredRecord, b: StoredRecord): number {
  for (const sort of order) {
    const result = compareValues(sort.read(a), sort.read(b));
    if (result !== 0) return sort.direction === 'ASC' ? result : -result;
  }
  return 0;
}

/** Where a page ends: the sort values of the last record returned, in `order`. */
export type PagePosition = readonly (Comparable | null)[];

export function positionOf(order: readonly SortField[], record: StoredRecord): PagePosition {
  return order.map((sort) => sort.read(record));
}

/** > 0 when `record` sorts after `position`. */
export function compareToPosition(
  order: readonly SortField[],
  record: StoredRecord,
  position: PagePosition,
): number {
  for (const [index, sort] of order.entries()) {
    const result = compareValues(sort.read(record), position[index] ?? null);
    if (result !== 0) return sort.direction === 'ASC' ? result : -result;
  }
  return 0;
}

interface PageKeyPayload {
  /** Entity + order signature: a PageKey is only valid for the ordering that produced it. */
  readonly o: string;
  /** Position after which the next page starts; absent = the very start (empty-page fault). */
  readonly p?: PagePosition;
}

export function encodePageKey(
  entity: EntityName,
  order: readonly SortField[],
  position?: PagePosition,
): string {
  const payload: PageKeyPayload = {
    o: `${entity}|${orderSignature(order)}`,
    ...(position ? { p: position } : {}),
  };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
}

/** Returns the position encoded in the PageKey, or null for "from the start". */
export function decodePageKey(
  entity: EntityName,
  order: readonly SortField[],
  pageKey: unknown,
): PagePosition | null {
  if (typeof pageKey !== 'string' || pageKey.length === 0) throw new OctopusError('Invalid PageKey');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(pageKey, 'base64').toString('utf8'));
  } catch {
    throw new OctopusError('Invalid PageKey');
  }
  if (!isPlainObject(payload) || typeof payload['o'] !== 'string') throw new OctopusError('Invalid PageKey');
  if (payload['o'] !== `${entity}|${orderSignature(order)}`) {
    throw new OctopusError('PageKey does not belong to this entity and OrderBy');
  }
  const position = payload['p'];
  if (position === undefined) return null;
  if (
    !Array.isArray(position) ||
    position.length !== order.length ||
    !position.every((value) => value === null || typeof value === 'string' || typeof value === 'number')
  ) {
    throw new OctopusError('Invalid PageKey');
  }
  return position as PagePosition;
}
