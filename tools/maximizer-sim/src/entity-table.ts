// One entity's records indexed for Octopus reads: by Key, and sorted by (LastModifyDate, Key) so that a
// date-windowed read is a binary search and a scan instead of a sort.
import { type StoredRecord, compareByModified, sortByModified } from './entities';

/** First index in `sorted` for which `isAfter` holds (`isAfter` must be monotone). */
export function lowerBound(
  sorted: readonly StoredRecord[],
  isAfter: (record: StoredRecord) => boolean,
): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const record = sorted[middle];
    if (record && isAfter(record)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** One entity's records: by Key, and sorted by (LastModifyDate, Key) for range reads. */
export class EntityTable {
  readonly byKey = new Map<string, StoredRecord>();
  byModified: StoredRecord[] = [];
  // Built lazily for `Key ASC` reads; creates and deletes invalidate it, updates keep Key order.
  private byKeyCache: StoredRecord[] | null = null;

  insert(record: StoredRecord): void {
    this.byKey.set(record.key, record);
    const index = this.modifiedInsertionIndex(record);
    if (index === this.byModified.length) this.byModified.push(record);
    else this.byModified.splice(index, 0, record);
    this.byKeyCache = null;
  }

  /** Adds many records at once: one sort and one merge instead of n splices. */
  insertMany(records: StoredRecord[]): void {
    sortByModified(records);
    for (const record of records) this.byKey.set(record.key, record);
    const existing = this.byModified;
    if (existing.length === 0) {
      this.byModified = records;
    } else {
      const merged = new Array<StoredRecord>(existing.length + records.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < existing.length && j < records.length) {
        const left = existing[i] as StoredRecord;
        const right = records[j] as StoredRecord;
        if (compareByModified(left, right) <= 0) {
          merged[k++] = left;
          i++;
        } else {
          merged[k++] = right;
          j++;
        }
      }
      while (i < existing.length) merged[k++] = existing[i++] as StoredRecord;
      while (j < records.length) merged[k++] = records[j++] as StoredRecord;
      this.byModified = merged;
    }
    this.byKeyCache = null;
  }

  remove(record: StoredRecord): void {
    this.byKey.delete(record.key);
    this.removeFromModified(record);
    this.byKeyCache = null;
  }

  /** Moves a record to its new place in the (LastModifyDate, Key) order. */
  touch(record: StoredRecord, lastModifySeconds: number): void {
    this.removeFromModified(record);
    record.lastModifySeconds = lastModifySeconds;
    const index = this.modifiedInsertionIndex(record);
    if (index === this.byModified.length) this.byModified.push(record);
    else this.byModified.splice(index, 0, record);
  }

  byKeyOrder(): StoredRecord[] {
    if (!this.byKeyCache) {
      this.byKeyCache = [...this.byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return this.byKeyCache;
  }

  clear(): void {
    this.byKey.clear();
    this.byModified = [];
    this.byKeyCache = null;
  }

  private modifiedInsertionIndex(record: StoredRecord): number {
    return lowerBound(this.byModified, (candidate) => compareByModified(candidate, record) > 0);
  }

  private removeFromModified(record: StoredRecord): void {
    const index = lowerBound(this.byModified, (candidate) => compareByModified(candidate, record) >= 0);
    if (this.byModified[index] !== record) throw new Error(`index out of sync for ${record.key}`);
    this.byModified.splice(index, 1);
  }
}

/** Collects up to `wanted` matches from `sorted[start..end)`, stopping past `toSeconds` (LastModifyDate). */
export function collect(
  sorted: readonly StoredRecord[],
  start: number,
  end: number,
  matches: (record: StoredRecord) => boolean,
  wanted: number,
  toSeconds: number | null,
): StoredRecord[] {
  const found: StoredRecord[] = [];
  for (let index = start; index < end && found.length < wanted; index++) {
    const record = sorted[index] as StoredRecord;
    if (toSeconds !== null && record.lastModifySeconds > toSeconds) break;
    if (matches(record)) found.push(record);
  }
  return found;
}
