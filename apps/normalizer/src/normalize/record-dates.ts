import type { DateField } from '@pollcast/contracts';
import { parseRecordDate } from '@pollcast/date-template';

/** The value at `path` in the record: the exact key first (a provider field may contain a dot), else
 * the dotted path through nested objects (`Owner.ModifiedAt`). */
export function valueAtPath(record: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  let current: unknown = record;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** A configured record date: the instant, or why it could not be read. */
export type RecordDate = { ok: true; epochMs: number } | { ok: false; error: string };

// toISOString() only writes four-digit years inside this range; outside it the event's `date` would not
// be an RFC 3339 instant, so such a date counts as unparseable.
const MIN_EPOCH_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z (Date.UTC maps year 0 to 1900)
const MAX_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Reads one configured date of a record with its Java pattern (or `milliseconds`) and zone. */
export function readRecordDate(record: Readonly<Record<string, unknown>>, config: DateField): RecordDate {
  try {
    const date = parseRecordDate(valueAtPath(record, config.field), config.format, config.zone);
    const epochMs = date.getTime();
    if (!Number.isFinite(epochMs) || epochMs < MIN_EPOCH_MS || epochMs > MAX_EPOCH_MS) {
      return { ok: false, error: `${config.field}: ${date.toString()} is outside years 0000-9999` };
    }
    return { ok: true, epochMs };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `${config.field}: ${message}` };
  }
}
