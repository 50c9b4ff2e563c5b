import { z } from 'zod';

/**
 * One rule for page sizes on every API: a plain decimal integer from 1 to `max`, given at most once.
 * `abc`, `1.5`, `1e3`, `0` or a repeated parameter answer 400 naming `pageSize` (they used to be
 * ignored by one service, rounded by another and refused by the third).
 */
export function pageSizeSchema(max: number, fallback: number) {
  return positiveIntegerQuerySchema(max, fallback);
}

/** A query parameter holding a plain decimal integer from 1 to `max`, given at most once (the
 * page-size rule, for any count: hours, bucket sizes). */
export function positiveIntegerQuerySchema(max: number, fallback: number) {
  const message = `must be an integer from 1 to ${max}`;
  return z
    .string({ error: `${message}, given once` })
    .regex(/^\d{1,9}$/, message)
    .transform(Number)
    .pipe(z.number().int().min(1, message).max(max, message))
    .optional()
    .transform((value) => value ?? fallback);
}

// RFC 3339 date-time, as `format: date-time` in the OpenAPI documents; `T` and `Z` in either case.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
/** Real UTC offsets span -12:00 to +14:00; PostgreSQL refuses anything beyond ±15:59. */
const MAX_OFFSET_MINUTES = 14 * 60;
const MIN_INSTANT_MS = Date.parse('0001-01-01T00:00:00Z');
const MAX_INSTANT_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** Why `text` is not an instant every service and PostgreSQL accept, or undefined when it is. */
export function instantProblem(text: string): string | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return 'must be an RFC 3339 date-time with an offset, e.g. 2026-01-01T00:00:00Z';
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const calendar = new Date(Date.UTC(2000, month - 1, day));
  calendar.setUTCFullYear(year);
  if (
    month < 1 ||
    month > 12 ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return 'is not a valid date and time';
  }
  if (match[9] !== undefined) {
    const offsetHours = Number(match[10]);
    const offsetMinutes = Number(match[11]);
    if (offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > MAX_OFFSET_MINUTES) {
      return 'has a UTC offset outside -14:00..+14:00';
    }
  }
  const at = Date.parse(text.toUpperCase());
  if (Number.isNaN(at) || at < MIN_INSTANT_MS || at > MAX_INSTANT_MS) {
    return 'must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z';
  }
  return undefined;
}

/** An RFC 3339 instant within what PostgreSQL's timestamptz and JavaScript's Date both hold,
 * normalized to UTC (`toISOString()`), so it can go to SQL as it is. */
export const instantSchema = z
  .string()
  .superRefine((value, context) => {
    const problem = instantProblem(value);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  })
  .transform((value) => new Date(value.toUpperCase()).toISOString());
