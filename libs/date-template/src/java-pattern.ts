// A port of java.text.SimpleDateFormat: a pattern compiled once into format steps and parse steps.
// Longer than ~400 lines on purpose: each pattern letter's format and parse rules stand side by side
// (a letter changed in one must change in the other), and golden.spec.ts checks them against the JDK.
import {
  daysFromCivil,
  daysInMonth,
  isLeapYear,
  MS_PER_DAY,
  usWeekOfMonth,
  usWeekOfYear,
  usWeekYearStart,
  wallFields,
  type WallFields,
} from './calendar';
import { DateTemplateError } from './errors';
import { tokenizePattern, type FieldToken, type PatternToken } from './pattern-tokens';
import { GMT, javaZoneSearchOrder, wallToInstant, zoneFor, type Zone } from './zones';

export interface JavaDateFormat {
  readonly pattern: string;
  /** Formats like SimpleDateFormat (Locale.US) with its time zone set to `zone` (default 'GMT'). */
  format(instant: Date, zone?: string): string;
  /** Parses like SimpleDateFormat in `zone` (default 'GMT'), strict except where the README says. */
  parse(text: string, zone?: string): Date;
}

export interface JavaPatternOptions {
  /**
   * Start of the 100-year window that 'yy' years fall in (SimpleDateFormat#set2DigitYearStart).
   * Default: 80 years before the moment of parsing, as SimpleDateFormat does.
   */
  readonly twoDigitYearStart?: Date;
}

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const; // prettier-ignore
const SHORT_MONTHS = MONTHS.map((month) => month.slice(0, 3));
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const SHORT_WEEKDAYS = WEEKDAYS.map((day) => day.slice(0, 3));
const AM_PM = ['AM', 'PM'] as const;
const ERAS = ['BC', 'AD'] as const;

function pad(value: number, width: number): string {
  const digits = String(value);
  return digits.length >= width ? digits : '0'.repeat(width - digits.length) + digits;
}

function pick(list: readonly string[], index: number): string {
  return list[index] ?? '';
}

// ---------------------------------------------------------------------------------------------
// Formatting: one function per token, chosen once at compile time.

type FormatStep = (fields: WallFields, zone: Zone) => string;

function yearStep(count: number, yearOf: (fields: WallFields) => number): FormatStep {
  // Java prints the year of era; 'yy' keeps the last two digits, any other count pads to count.
  const yearOfEra = (fields: WallFields): number => {
    const year = yearOf(fields);
    return year > 0 ? year : 1 - year;
  };
  return count === 2 ? (f) => pad(yearOfEra(f) % 100, 2) : (f) => pad(yearOfEra(f), count);
}

function isoOffset(offsetMs: number, count: number): string {
  if (offsetMs === 0) return 'Z';
  let minutes = Math.trunc(offsetMs / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  minutes = Math.abs(minutes);
  const hours = pad(Math.floor(minutes / 60), 2);
  if (count === 1) return sign + hours;
  return sign + hours + (count === 3 ? ':' : '') + pad(minutes % 60, 2);
}

function rfc822Offset(offsetMs: number): string {
  const minutes = Math.trunc(offsetMs / 60_000);
  const abs = Math.abs(minutes);
  return (minutes < 0 ? '-' : '+') + pad(Math.floor(abs / 60), 2) + pad(abs % 60, 2);
}

function formatStep(token: FieldToken): FormatStep {
  const { letter, count } = token;
  switch (letter) {
    case 'G':
      return (f) => (f.year > 0 ? ERAS[1] : ERAS[0]);
    case 'y':
      return yearStep(count, (f) => f.year);
    case 'Y':
      return yearStep(count, (f) => usWeekOfYear(f).weekYear);
    case 'M':
    case 'L':
      if (count >= 4) return (f) => pick(MONTHS, f.month - 1);
      if (count === 3) return (f) => pick(SHORT_MONTHS, f.month - 1);
      return (f) => pad(f.month, count);
    case 'w':
      return (f) => pad(usWeekOfYear(f).week, count);
    case 'W':
      return (f) => pad(usWeekOfMonth(f), count);
    case 'D':
      return (f) => pad(f.dayOfYear, count);
    case 'd':
      return (f) => pad(f.day, count);
    case 'F':
      return (f) => pad(Math.floor((f.day - 1) / 7) + 1, count);
    case 'E':
      return count >= 4 ? (f) => pick(WEEKDAYS, f.dayOfWeek) : (f) => pick(SHORT_WEEKDAYS, f.dayOfWeek);
    case 'u':
      return (f) => pad(f.dayOfWeek === 0 ? 7 : f.dayOfWeek, count);
    case 'a':
      return (f) => (f.hour < 12 ? AM_PM[0] : AM_PM[1]);
    case 'H':
      return (f) => pad(f.hour, count);
    case 'k':
      return (f) => pad(f.hour === 0 ? 24 : f.hour, count);
    case 'K':
      return (f) => pad(f.hour % 12, count);
    case 'h':
      return (f) => pad(f.hour % 12 === 0 ? 12 : f.hour % 12, count);
    case 'm':
      return (f) => pad(f.minute, count);
    case 's':
      return (f) => pad(f.second, count);
    case 'S':
      // Java's S is a count of milliseconds, not a fraction: 'S' prints 5 ms as "5", 'SSSS' as "0005".
      return (f) => pad(f.millisecond, count);
    case 'z': {
      const long = count >= 4;
      return (f, zone) => {
        const daylight = zone.isDaylightAt(f.epochMs);
        return zone.names[(daylight ? 2 : 0) + (long ? 1 : 0)] ?? '';
      };
    }
    case 'Z':
      return (f) => rfc822Offset(f.offsetMs);
    case 'X':
      return (f) => isoOffset(f.offsetMs, count);
    default:
      throw new DateTemplateError(
        'UNKNOWN_PATTERN_LETTER',
        `Unknown pattern letter '${letter}'`,
        token.position,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing: each token reads from the text into a ParseState; the state is resolved into an instant
// the way java.util.GregorianCalendar resolves fields (most recently set combination wins).

type ZoneField =
  | { readonly kind: 'offset'; readonly offsetMs: number }
  /** daylight undefined: "let the zone decide", as SimpleDateFormat does when a name is ambiguous. */
  | { readonly kind: 'named'; readonly zone: Zone; readonly daylight: boolean | undefined };

class ParseState {
  stamp = 0;
  era = 1;
  year = 1970;
  yearStamp = 0;
  yearAmbiguous = false;
  weekYear = 0;
  weekYearStamp = 0;
  month = 1;
  monthStamp = 0;
  day = 1;
  dayStamp = 0;
  dayOfYear = 1;
  dayOfYearStamp = 0;
  weekOfYearStamp = 0;
  weekOfYear = 1;
  weekOfMonthStamp = 0;
  dayOfWeekInMonthStamp = 0;
  /** 0 = Sunday */
  dayOfWeek = 0;
  dayOfWeekStamp = 0;
  hourOfDay = 0;
  hourOfDayStamp = 0;
  /** 0..11 */
  hour = 0;
  hourStamp = 0;
  amPm = 0;
  amPmStamp = 0;
  minute = 0;
  second = 0;
  millisecond = 0;
  zone: ZoneField | undefined = undefined;
  /** Set when parsing a number: its value. */
  number = 0;

  constructor(
    readonly parseZone: Zone,
    readonly centuryStartYear: number,
  ) {}

  nextStamp(): number {
    return ++this.stamp;
  }
}

interface ParseStep {
  /** What the text must hold here, for error messages. */
  readonly expected: string;
  /** Returns the index after what it read, or -1. */
  read(state: ParseState, text: string, index: number): number;
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;

function isDigitAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= DIGIT_0 && code <= DIGIT_9;
}

/** Reads exactly `width` digits, or 1..9 digits when width is undefined; the value lands in state.number. */
function readNumber(state: ParseState, text: string, index: number, width: number | undefined): number {
  const limit = width === undefined ? index + 9 : index + width;
  let value = 0;
  let end = index;
  while (end < limit && end < text.length) {
    const code = text.charCodeAt(end);
    if (code < DIGIT_0 || code > DIGIT_9) break;
    value = value * 10 + (code - DIGIT_0);
    end++;
  }
  if (end === index || (width !== undefined && end !== limit)) return -1;
  if (width === undefined && isDigitAt(text, end)) return -1; // more than 9 digits: not a date field
  state.number = value;
  return end;
}

/** The longest case-insensitive match (SimpleDateFormat#matchString); returns [index in list, end] or undefined. */
function matchText(text: string, index: number, list: readonly string[]): [number, number] | undefined {
  let best: [number, number] | undefined;
  for (let i = 0; i < list.length; i++) {
    const candidate = list[i] ?? '';
    if (best && candidate.length <= best[1] - index) continue;
    if (text.substr(index, candidate.length).toLowerCase() === candidate.toLowerCase()) {
      best = [i, index + candidate.length];
    }
  }
  return best;
}

function textStep(
  expected: string,
  lists: ReadonlyArray<readonly string[]>,
  assign: (state: ParseState, listIndex: number) => void,
): ParseStep {
  return {
    expected,
    read(state, text, index) {
      for (const list of lists) {
        const match = matchText(text, index, list);
        if (match) {
          assign(state, match[0]);
          return match[1];
        }
      }
      return -1;
    },
  };
}

function numberStep(
  expected: string,
  width: number | undefined,
  min: number,
  max: number,
  assign: (state: ParseState, value: number) => void,
): ParseStep {
  return {
    expected,
    read(state, text, index) {
      const end = readNumber(state, text, index, width);
      if (end < 0 || state.number < min || state.number > max) return -1;
      assign(state, state.number);
      return end;
    },
  };
}

/** 'y'/'Y': a two-digit 'y'/'yy' value lands in the 100-year window (SimpleDateFormat's rule). */
function yearParseStep(count: number, width: number | undefined, weekYear: boolean): ParseStep {
  return {
    expected: `${weekYear ? 'week year' : 'year'} (${count <= 2 ? 'yy' : 'y'.repeat(count)})`,
    read(state, text, index) {
      const end = readNumber(state, text, index, width);
      if (end < 0) return -1;
      let year = state.number;
      let ambiguous = false;
      if (count <= 2 && end - index === 2) {
        const ambiguousTwoDigitYear = state.centuryStartYear % 100;
        ambiguous = year === ambiguousTwoDigitYear;
        year += Math.floor(state.centuryStartYear / 100) * 100 + (year < ambiguousTwoDigitYear ? 100 : 0);
      } else if (year === 0) {
        return -1;
      }
      if (weekYear) {
        state.weekYear = year;
        state.weekYearStamp = state.nextStamp();
      } else {
        state.year = year;
        state.yearAmbiguous = ambiguous;
        state.yearStamp = state.nextStamp();
      }
      return end;
    },
  };
}

/** '+hh:mm', '+hhmm', '+hh', '+h:mm' after a sign at `index`; lenient on purpose (APIs mix them). */
function readNumericOffset(text: string, index: number): { offsetMs: number; end: number } | undefined {
  const sign = text.charAt(index);
  if (sign !== '+' && sign !== '-') return undefined;
  let cursor = index + 1;
  if (!isDigitAt(text, cursor)) return undefined;
  let hours = text.charCodeAt(cursor++) - DIGIT_0;
  const twoDigitHours = isDigitAt(text, cursor);
  if (twoDigitHours) hours = hours * 10 + (text.charCodeAt(cursor++) - DIGIT_0);
  let minutes = 0;
  if (text.charAt(cursor) === ':' && isDigitAt(text, cursor + 1) && isDigitAt(text, cursor + 2)) {
    minutes = Number(text.substr(cursor + 1, 2));
    cursor += 3;
  } else if (twoDigitHours && isDigitAt(text, cursor) && isDigitAt(text, cursor + 1)) {
    minutes = Number(text.substr(cursor, 2));
    cursor += 2;
  }
  if (hours > 23 || minutes > 59) return undefined;
  const magnitude = (hours * 60 + minutes) * 60_000;
  return { offsetMs: sign === '-' ? -magnitude : magnitude, end: cursor };
}

function startsWithIgnoreCase(text: string, index: number, prefix: string): boolean {
  return text.substr(index, prefix.length).toLowerCase() === prefix.toLowerCase();
}

/**
 * A zone name as SimpleDateFormat#subParseZoneString finds it: the parse zone's own names first, then
 * the default zone's (GMT), then every zone in the JDK's order; long and short, standard and daylight.
 */
function readZoneName(state: ParseState, text: string, index: number): number {
  const rows = javaZoneSearchOrder();
  const ownRow = rows.find((row) => row.id === state.parseZone.javaId);
  const gmtRow = rows.find((row) => row.id === 'GMT');
  const candidates = [ownRow, gmtRow, ...rows];
  for (const row of candidates) {
    if (!row) continue;
    // Java's order: long standard, short standard, long daylight, short daylight.
    const [shortStd, longStd, shortDst, longDst] = row.names;
    const inJavaOrder = [longStd, shortStd, longDst, shortDst];
    for (let nameIndex = 0; nameIndex < 4; nameIndex++) {
      const name = inJavaOrder[nameIndex] ?? '';
      if (name === '' || !startsWithIgnoreCase(text, index, name)) continue;
      const zone = zoneFor(row.id);
      const daylightName = nameIndex >= 2;
      const sameNameForBoth =
        !daylightName && name.toLowerCase() === (inJavaOrder[nameIndex + 2] ?? '').toLowerCase();
      const letZoneDecide = sameNameForBoth || (daylightName && row.dstSavingsMs === 0);
      state.zone = { kind: 'named', zone, daylight: letZoneDecide ? undefined : daylightName };
      return index + name.length;
    }
  }
  return -1;
}

/** 'z' and 'Z': SimpleDateFormat accepts the same inputs for both; we add 'Z' and '+hh:mm'. */
const zoneNameOrRfc822Step: ParseStep = {
  expected: 'time zone (+0800, -08:00, Z, GMT+8:00 or a name like PST)',
  read(state, text, index) {
    if (text.charAt(index) === 'Z') {
      state.zone = { kind: 'offset', offsetMs: 0 };
      return index + 1;
    }
    const numeric = readNumericOffset(text, index);
    if (numeric) {
      state.zone = { kind: 'offset', offsetMs: numeric.offsetMs };
      return numeric.end;
    }
    for (const prefix of ['GMT', 'UTC']) {
      if (!startsWithIgnoreCase(text, index, prefix)) continue;
      const afterPrefix = readNumericOffset(text, index + 3);
      if (afterPrefix) {
        state.zone = { kind: 'offset', offsetMs: afterPrefix.offsetMs };
        return afterPrefix.end;
      }
      if (prefix === 'GMT') {
        state.zone = { kind: 'offset', offsetMs: 0 };
        return index + 3;
      }
    }
    return readZoneName(state, text, index);
  },
};

const isoZoneStep: ParseStep = {
  expected: 'ISO 8601 offset (Z, +08, +0800 or +08:00)',
  read(state, text, index) {
    if (text.charAt(index) === 'Z') {
      state.zone = { kind: 'offset', offsetMs: 0 };
      return index + 1;
    }
    const numeric = readNumericOffset(text, index);
    if (!numeric) return -1;
    state.zone = { kind: 'offset', offsetMs: numeric.offsetMs };
    return numeric.end;
  },
};

/** SimpleDateFormat#shouldObeyCount: a numeric field directly followed by one of these reads exactly `count` digits. */
function obeysCount(token: PatternToken | undefined): boolean {
  if (!token || token.kind !== 'field') return false;
  if (token.letter === 'M' || token.letter === 'L') return token.count <= 2;
  return 'ydkHmsSDFwWhK'.includes(token.letter);
}

function parseStep(
  token: FieldToken,
  previous: PatternToken | undefined,
  next: PatternToken | undefined,
): ParseStep {
  const { letter, count } = token;
  const width = obeysCount(next) ? count : undefined;
  const n = (
    expected: string,
    min: number,
    max: number,
    assign: (s: ParseState, v: number) => void,
  ): ParseStep => numberStep(`${expected} (${letter.repeat(count)})`, width, min, max, assign);
  switch (letter) {
    case 'G':
      return textStep('era (AD or BC)', [ERAS], (s, i) => {
        s.era = i;
      });
    case 'y':
      return yearParseStep(count, width, false);
    case 'Y':
      return yearParseStep(count, width, true);
    case 'M':
    case 'L':
      if (count >= 3) {
        return textStep('month name', [MONTHS, SHORT_MONTHS], (s, i) => {
          s.month = i + 1;
          s.monthStamp = s.nextStamp();
        });
      }
      return n('month 1-12', 1, 12, (s, v) => {
        s.month = v;
        s.monthStamp = s.nextStamp();
      });
    case 'd':
      return n('day of month 1-31', 1, 31, (s, v) => {
        s.day = v;
        s.dayStamp = s.nextStamp();
      });
    case 'D':
      return n('day of year 1-366', 1, 366, (s, v) => {
        s.dayOfYear = v;
        s.dayOfYearStamp = s.nextStamp();
      });
    case 'w':
      return n('week of year 1-53', 1, 53, (s, v) => {
        s.weekOfYear = v;
        s.weekOfYearStamp = s.nextStamp();
      });
    case 'W':
      return n('week of month 1-6', 1, 6, (s) => {
        s.weekOfMonthStamp = s.nextStamp();
      });
    case 'F':
      return n('day of week in month 1-5', 1, 5, (s) => {
        s.dayOfWeekInMonthStamp = s.nextStamp();
      });
    case 'E':
      return textStep('day name', [WEEKDAYS, SHORT_WEEKDAYS], (s, i) => {
        s.dayOfWeek = i;
        s.dayOfWeekStamp = s.nextStamp();
      });
    case 'u':
      return n('day number of week 1-7', 1, 7, (s, v) => {
        s.dayOfWeek = v % 7;
        s.dayOfWeekStamp = s.nextStamp();
      });
    case 'a':
      return textStep('AM or PM', [AM_PM], (s, i) => {
        s.amPm = i;
        s.amPmStamp = s.nextStamp();
      });
    case 'H':
      return n('hour 0-23', 0, 23, (s, v) => {
        s.hourOfDay = v;
        s.hourOfDayStamp = s.nextStamp();
      });
    case 'k':
      return n('hour 1-24', 1, 24, (s, v) => {
        s.hourOfDay = v === 24 ? 0 : v;
        s.hourOfDayStamp = s.nextStamp();
      });
    case 'K':
      return n('hour 0-11', 0, 11, (s, v) => {
        s.hour = v;
        s.hourStamp = s.nextStamp();
      });
    case 'h':
      return n('hour 1-12', 1, 12, (s, v) => {
        s.hour = v === 12 ? 0 : v;
        s.hourStamp = s.nextStamp();
      });
    case 'm':
      return n('minute 0-59', 0, 59, (s, v) => {
        s.minute = v;
      });
    case 's':
      return n('second 0-59', 0, 59, (s, v) => {
        s.second = v;
      });
    case 'S': {
      const afterDecimalPoint =
        previous?.kind === 'literal' && (previous.text.endsWith('.') || previous.text.endsWith(','));
      if (count >= 3 && afterDecimalPoint && width === undefined) {
        // A fraction of a second of any length (APIs send .1, .123456, .1234567); extra digits are truncated.
        return {
          expected: 'fraction of a second (1-9 digits)',
          read(state, text, index) {
            const end = readNumber(state, text, index, undefined);
            if (end < 0) return -1;
            const digits = text.slice(index, end);
            state.millisecond = Number((digits + '00').slice(0, 3));
            return end;
          },
        };
      }
      return n('milliseconds 0-999', 0, 999, (s, v) => {
        s.millisecond = v;
      });
    }
    case 'z':
    case 'Z':
      return zoneNameOrRfc822Step;
    case 'X':
      return isoZoneStep;
    default:
      throw new DateTemplateError(
        'UNKNOWN_PATTERN_LETTER',
        `Unknown pattern letter '${letter}'`,
        token.position,
      );
  }
}

function literalStep(text: string): ParseStep {
  return {
    expected: JSON.stringify(text),
    read(_state, input, index) {
      return input.startsWith(text, index) ? index + text.length : -1;
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** The compiled form; other modules of this library call formatEpoch with an already resolved zone. */
export class CompiledJavaPattern implements JavaDateFormat {
  private readonly formatSteps: FormatStep[];
  private readonly parseSteps: ParseStep[];
  private readonly usesTwoDigitYears: boolean;

  constructor(
    readonly pattern: string,
    private readonly options: JavaPatternOptions,
  ) {
    if (typeof pattern !== 'string' || pattern === '') {
      throw new DateTemplateError(
        'INVALID_ARGUMENT',
        `A date pattern must be a non-empty string, got ${JSON.stringify(pattern)}`,
      );
    }
    const tokens = tokenizePattern(pattern);
    this.formatSteps = tokens.map((token) => {
      if (token.kind === 'literal') {
        const text = token.text;
        return () => text;
      }
      return formatStep(token);
    });
    this.parseSteps = tokens.map((token, i) =>
      token.kind === 'literal' ? literalStep(token.text) : parseStep(token, tokens[i - 1], tokens[i + 1]),
    );
    this.usesTwoDigitYears = tokens.some(
      (t) => t.kind === 'field' && (t.letter === 'y' || t.letter === 'Y') && t.count <= 2,
    );
  }

  format(instant: Date, zone?: string): string {
    const epochMs = instant instanceof Date ? instant.getTime() : NaN;
    if (!Number.isFinite(epochMs)) {
      throw new DateTemplateError(
        'INVALID_ARGUMENT',
        `Cannot format ${String(instant)} with "${this.pattern}": not a valid Date`,
      );
    }
    return this.formatEpoch(epochMs, zone === undefined ? GMT : zoneFor(zone));
  }

  formatEpoch(epochMs: number, zone: Zone): string {
    const fields = wallFields(epochMs, zone.offsetAt(epochMs));
    let out = '';
    for (const step of this.formatSteps) out += step(fields, zone);
    return out;
  }

  parse(text: string, zone?: string): Date {
    if (typeof text !== 'string') {
      throw new DateTemplateError(
        'INVALID_ARGUMENT',
        `Cannot parse ${String(text)} with "${this.pattern}": not a string`,
      );
    }
    return this.parseInZone(text, zone === undefined ? GMT : zoneFor(zone));
  }

  parseInZone(text: string, resolved: Zone): Date {
    const centuryStart = this.usesTwoDigitYears ? this.twoDigitYearStart() : 0;
    const centuryStartYear = this.usesTwoDigitYears
      ? wallFields(centuryStart, resolved.offsetAt(centuryStart)).year
      : 0;
    const state = new ParseState(resolved, centuryStartYear);
    let index = 0;
    for (const step of this.parseSteps) {
      const end = step.read(state, text, index);
      if (end < 0) throw this.mismatch(text, `expected ${step.expected}`, index);
      index = end;
    }
    if (index !== text.length) throw this.mismatch(text, 'unexpected text after the date', index);
    let epochMs = this.resolve(state, text);
    if (state.yearAmbiguous && epochMs < centuryStart) {
      state.year += 100;
      epochMs = this.resolve(state, text);
    }
    return new Date(epochMs);
  }

  private twoDigitYearStart(): number {
    if (this.options.twoDigitYearStart) return this.options.twoDigitYearStart.getTime();
    const start = new Date();
    start.setUTCFullYear(start.getUTCFullYear() - 80);
    return start.getTime();
  }

  private mismatch(text: string, why: string, position: number): DateTemplateError {
    return new DateTemplateError(
      'UNPARSEABLE_DATE',
      `Cannot parse ${JSON.stringify(text)} with pattern "${this.pattern}": ${why} at index ${position}`,
      position,
    );
  }

  /** Fields to epoch ms, following GregorianCalendar's choice among the date fields that were set. */
  private resolve(state: ParseState, text: string): number {
    let epochDay: number;
    if (state.weekYearStamp > state.yearStamp) {
      if (state.weekOfYearStamp === 0) {
        throw this.mismatch(
          text,
          "week year 'Y' without week 'w' does not name a date (did you mean 'y'?)",
          0,
        );
      }
      epochDay = usWeekYearStart(state.weekYear) + (state.weekOfYear - 1) * 7 + state.dayOfWeek;
    } else {
      const year = state.era === 0 ? 1 - state.year : state.year;
      const withDayOfWeek = (stamp: number): number =>
        stamp > 0 && state.dayOfWeekStamp > 0 ? Math.max(stamp, state.dayOfWeekStamp) : 0;
      const weekStamp = Math.max(
        withDayOfWeek(state.weekOfMonthStamp),
        withDayOfWeek(state.dayOfWeekInMonthStamp),
        withDayOfWeek(state.weekOfYearStamp),
      );
      const onlyWeekFields =
        state.dayStamp === 0 &&
        state.dayOfYearStamp === 0 &&
        (state.weekOfMonthStamp > 0 ||
          state.dayOfWeekInMonthStamp > 0 ||
          state.weekOfYearStamp > 0 ||
          state.dayOfWeekStamp > 0);
      if (onlyWeekFields || weekStamp > Math.max(state.dayStamp, state.dayOfYearStamp)) {
        throw this.mismatch(
          text,
          "week-based fields (w, W, F, E, u) are only parsed alongside a day ('d' or 'D') or as 'Y'+'w'",
          0,
        );
      }
      if (state.dayOfYearStamp > state.dayStamp) {
        if (state.dayOfYear > (isLeapYear(year) ? 366 : 365))
          throw this.mismatch(text, 'day of year out of range', 0);
        epochDay = daysFromCivil(year, 1, 1) + state.dayOfYear - 1;
      } else {
        if (state.day > daysInMonth(year, state.month)) {
          throw this.mismatch(text, `day ${state.day} does not exist in month ${state.month} of ${year}`, 0);
        }
        epochDay = daysFromCivil(year, state.month, state.day);
      }
    }

    // HOUR_OF_DAY vs HOUR+AM_PM: the combination set last wins; HOUR or AM_PM alone still count.
    const hourWithAmPm =
      state.hourStamp > 0 && state.amPmStamp > 0 ? Math.max(state.hourStamp, state.amPmStamp) : 0;
    let hourOfDay: number;
    if (hourWithAmPm > state.hourOfDayStamp) hourOfDay = state.hour + state.amPm * 12;
    else if (state.hourOfDayStamp > 0) hourOfDay = state.hourOfDay;
    else hourOfDay = state.hour + state.amPm * 12;

    const wallMs =
      epochDay * MS_PER_DAY +
      hourOfDay * 3_600_000 +
      state.minute * 60_000 +
      state.second * 1000 +
      state.millisecond;
    const zoneField = state.zone;
    if (zoneField === undefined) return wallToInstant(wallMs, state.parseZone);
    if (zoneField.kind === 'offset') return wallMs - zoneField.offsetMs;
    // A zone name: its raw offset at that wall time, plus its DST savings when the name was a daylight one.
    const named = zoneField.zone;
    const byZone = wallToInstant(wallMs, named);
    if (zoneField.daylight === undefined) return byZone;
    return wallMs - named.rawOffsetAt(byZone) - (zoneField.daylight ? named.dstSavingsMs : 0);
  }
}

/** Compiles a java.text.SimpleDateFormat pattern once; format and parse reuse the compiled steps. */
export function compileJavaPattern(pattern: string, options: JavaPatternOptions = {}): JavaDateFormat {
  return new CompiledJavaPattern(pattern, options);
}
