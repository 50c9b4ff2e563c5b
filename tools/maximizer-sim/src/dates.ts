import { formatInTimeZone } from 'date-fns-tz';

const MAXIMIZER_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX";
// An ISO-8601 instant: date, time with optional fraction, and a mandatory offset or Z. A value
// without an offset would be ambiguous (which zone?), so the wire doc requires one.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Renders epoch seconds in the server zone. Formatting through Intl is the most expensive step of
 * a Read, and records share seconds heavily, so rendered strings are cached per second.
 */
export class DateRenderer {
  private readonly cache = new Map<number, string>();

  constructor(readonly zone: string) {
    // Fails fast on an unknown zone instead of on the first Read.
    formatInTimeZone(new Date(0), zone, MAXIMIZER_DATE_FORMAT);
  }

  render(epochSeconds: number): string {
    let rendered = this.cache.get(epochSeconds);
    if (rendered === undefined) {
      rendered = formatInTimeZone(new Date(epochSeconds * 1000), this.zone, MAXIMIZER_DATE_FORMAT);
      if (this.cache.size >= 200_000) this.cache.clear();
      this.cache.set(epochSeconds, rendered);
    }
    return rendered;
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
