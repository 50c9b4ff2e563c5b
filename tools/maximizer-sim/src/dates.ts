import { formatInTimeZone } from 'date-fns-tz';

const MAXIMIZER_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX";
// An ISO-8601 instant: date, time with optional fraction, and a mandatory offset or Z. A value
// without an offset would be ambiguous (which zone?), so the wire doc requires one.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

// "mm:ss" for every second of an hour.
const MINUTE_SECOND = Array.from(
  { length: 3600 },
  (_, second) =>
    `${String(Math.floor(second / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}`,
);

interface HourFormat {
  /** "yyyy-MM-ddTHH:" in the zone. */
  readonly prefix: string;
  /** The offset, e.g. "-05:00". */
  readonly suffix: string;
}

/**
 * Renders epoch seconds in the server zone. Intl-based formatting costs microseconds per call and a
 * Read renders two dates per record, so the zone is consulted once per UTC hour: when the offset is
 * a whole number of hours and does not change within that hour (true for every hour of
 * America/Toronto), a date is "<hour prefix><mm:ss><offset>". Other hours (half-hour zones, the
 * rare transition inside an hour) go through formatInTimeZone with a per-second cache.
 */
export class DateRenderer {
  private readonly hours = new Map<number, HourFormat | null>();
  private readonly seconds = new Map<number, string>();

  constructor(readonly zone: string) {
    // Fails fast on an unknown zone instead of on the first Read.
    formatInTimeZone(new Date(0), zone, MAXIMIZER_DATE_FORMAT);
  }

  render(epochSeconds: number): string {
    const hour = Math.floor(epochSeconds / 3600);
    let format = this.hours.get(hour);
    if (format === undefined) {
      format = this.hourFormat(hour);
      if (this.hours.size >= 100_000) this.hours.clear();
      this.hours.set(hour, format);
    }
    if (format !== null)
      return format.prefix + (MINUTE_SECOND[epochSeconds - hour * 3600] ?? '') + format.suffix;
    let rendered = this.seconds.get(epochSeconds);
    if (rendered === undefined) {
      rendered = formatInTimeZone(new Date(epochSeconds * 1000), this.zone, MAXIMIZER_DATE_FORMAT);
      if (this.seconds.size >= 200_000) this.seconds.clear();
      this.seconds.set(epochSeconds, rendered);
    }
    return rendered;
  }

  private hourFormat(hour: number): HourFormat | null {
    const first = formatInTimeZone(new Date(hour * 3600 * 1000), this.zone, MAXIMIZER_DATE_FORMAT);
    const last = formatInTimeZone(new Date((hour * 3600 + 3599) * 1000), this.zone, MAXIMIZER_DATE_FORMAT);
    // "yyyy-MM-ddTHH:mm:ss" is 19 characters; what follows is the offset.
    const prefix = first.slice(0, 14);
    const suffix = first.slice(19);
    const consistent =
      first.slice(14, 19) === '00:00' &&
      last.slice(14, 19) === '59:59' &&
      last.slice(0, 14) === prefix &&
      last.slice(19) === suffix;
    return consistent ? { prefix, suffix } : null;
  }
}

export function isValidTimeZone(zone: string): boolean {
  try {
    formatInTimeZone(new Date(0), zone, MAXIMIZER_DATE_FORMAT);
    return true;
  } catch {
    return false;
  }
}

/** Parses an ISO-8601 instant with offset into epoch milliseconds, or null when it is not one. */
export function parseInstant(value: string): number | null {
  if (!ISO_INSTANT.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
