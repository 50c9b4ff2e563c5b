// The simulator's change log: every create, update and delete in order, with a dense sequence number,
// so tests can compare what Pollcast saw with what changed at the provider (deletes included).
import type { SimClock } from '@pollcast/tool-process';
import type { DateRenderer } from './dates';
import type { EntityName, StoredRecord } from './entities';
import type { ChangeKind, ChangeLogEntry, ChangeQuery } from './store-types';

interface ChangeLogRow {
  readonly seq: number;
  readonly entity: EntityName;
  readonly key: string;
  readonly recordType: string | null;
  readonly change: ChangeKind;
  readonly lastModifySeconds: number;
  readonly atMs: number;
}

export class ChangeLog {
  private rows: ChangeLogRow[] = [];
  private seq = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly dates: DateRenderer,
  ) {}

  list(query: ChangeQuery = {}): ChangeLogEntry[] {
    const since = query.since ?? 0;
    // seq is dense and starts at 1, so the first candidate is found by position, not by a scan.
    const firstSeq = this.rows[0]?.seq ?? 1;
    const start = Math.max(0, since - firstSeq + 1);
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const entries: ChangeLogEntry[] = [];
    for (let index = start; index < this.rows.length && entries.length < limit; index++) {
      const row = this.rows[index];
      if (!row || (query.entity && row.entity !== query.entity)) continue;
      entries.push({
        seq: row.seq,
        entity: row.entity,
        Key: row.key,
        recordType: row.recordType,
        change: row.change,
        LastModifyDate: this.dates.render(row.lastModifySeconds),
        at: new Date(row.atMs).toISOString(),
      });
    }
    return entries;
  }

  record(record: StoredRecord, change: ChangeKind): void {
    this.seq += 1;
    this.rows.push({
      seq: this.seq,
      entity: record.entity,
      key: record.key,
      recordType: record.entity === 'AbEntry' ? String(record.values['Type']) : null,
      change,
      lastModifySeconds: record.lastModifySeconds,
      atMs: this.clock.nowMs(),
    });
  }

  /** Empties the log; sequence numbers go on from where they were. */
  clear(): void {
    this.rows = [];
  }

  reset(): void {
    this.rows = [];
    this.seq = 0;
  }
}
