// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), after Howard
// Hinnant's civil-from-days algorithms: exact for any year, no Date objects, no local time zone.

export const MS_PER_DAY = 86_400_000;

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Wall-clock fields of an instant in a zone: what java.util.Calendar#get returns. */
export interface WallFields {
  /** Proleptic year: 0 = 1 BC. */
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Sunday … 6 = Saturday */
  dayOfWeek: number;
  /** 1..366 */
  dayOfYear: number;
  /** Total UTC offset (Java's ZONE_OFFSET + DST_OFFSET). */
  offsetMs: number;
  /** The instant, for fields that need the zone again (zone names). */
  epochMs: number;
}

export function wallFields(epochMs: number, offsetMs: number): WallFields {
  const wallMs = epochMs + offsetMs;
  const epochDay = Math.floor(wallMs / MS_PER_DAY);
  const msOfDay = wallMs - epochDay * MS_PER_DAY;
  // civil_from_days
  const z = epochDay + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const shiftedDayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * shiftedDayOfYear + 2) / 153);
  const day = shiftedDayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return {
    year,
    month,
    day,
    hour: Math.floor(msOfDay / 3_600_000),
    minute: Math.floor(msOfDay / 60_000) % 60,
    second: Math.floor(msOfDay / 1000) % 60,
    millisecond: msOfDay % 1000,
    dayOfWeek: (((epochDay + 4) % 7) + 7) % 7,
    dayOfYear: epochDay - daysFromCivil(year, 1, 1) + 1,
    offsetMs,
    epochMs,
  };
}

// Java's default week rules for Locale.US: weeks start on Sunday, week 1 is the one holding January 1st.

/** WEEK_OF_YEAR, and the week-based year it belongs to (Java's 'Y'). */
export function usWeekOfYear(fields: WallFields): { week: number; weekYear: number } {
  const saturdayOfWeek = fields.dayOfYear + (6 - fields.dayOfWeek);
  const yearLength = isLeapYear(fields.year) ? 366 : 365;
  if (saturdayOfWeek > yearLength) return { week: 1, weekYear: fields.year + 1 };
  const january1DayOfWeek = (((fields.dayOfWeek - (fields.dayOfYear - 1)) % 7) + 7) % 7;
  return { week: Math.floor((fields.dayOfYear - 1 + january1DayOfWeek) / 7) + 1, weekYear: fields.year };
}

/** WEEK_OF_MONTH (never rolls into the next month, unlike WEEK_OF_YEAR). */
export function usWeekOfMonth(fields: WallFields): number {
  const firstDayOfWeek = (((fields.dayOfWeek - (fields.day - 1)) % 7) + 7) % 7;
  return Math.floor((fields.day - 1 + firstDayOfWeek) / 7) + 1;
}

/** Epoch day of the Sunday that starts week 1 of a week-based year (US rules). */
export function usWeekYearStart(weekYear: number): number {
  const january1 = daysFromCivil(weekYear, 1, 1);
  const dayOfWeek = (((january1 + 4) % 7) + 7) % 7;
  return january1 - dayOfWeek;
}
