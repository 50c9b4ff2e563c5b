import { DateTemplateError } from './errors';
import { JAVA_ZONE_TABLE } from './java-zone-table';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/** [short standard, long standard, short daylight, long daylight], as java.util.TimeZone#getDisplayName gives them. */
export type ZoneNames = readonly [string, string, string, string];

/** A zone resolved once: what Java would call it, and how to get its UTC offset at an instant. */
export interface Zone {
  /** What resolveZone returns: an IANA name, 'GMT'/'UTC', or a fixed offset like '+05:30'. */
  readonly canonical: string;
  /** The java.util.TimeZone id: decides the names that 'z' prints. */
  readonly javaId: string;
  readonly names: ZoneNames;
  /** Java's getDSTSavings(): what a daylight name ('PDT') adds to the raw offset when parsing. */
  readonly dstSavingsMs: number;
  /** Set for fixed-offset zones; they need no tz database. */
  readonly fixedOffsetMs: number | undefined;
  offsetAt(epochMs: number): number;
  /** Java's DST_OFFSET != 0, i.e. whether 'z' prints the daylight name. */
  isDaylightAt(epochMs: number): boolean;
  /** Java's ZONE_OFFSET (the raw, standard offset) in effect at that instant. */
  rawOffsetAt(epochMs: number): number;
}

interface JavaZoneRow {
  readonly id: string;
  readonly rawOffsetMs: number;
  readonly dstSavingsMs: number;
  /** Row in DateFormatSymbols.getZoneStrings(): the order SimpleDateFormat tries names in; -1 = never. */
  readonly searchOrder: number;
  readonly names: ZoneNames;
}

let javaZoneRows: Map<string, JavaZoneRow> | undefined;
let javaZoneSearchList: JavaZoneRow[] | undefined;

/** The JDK's zone ids and names, keyed by lower-cased id (parsed on first use). */
function javaZones(): Map<string, JavaZoneRow> {
  if (javaZoneRows) return javaZoneRows;
  const rows = new Map<string, JavaZoneRow>();
  for (const line of JAVA_ZONE_TABLE.split('\n')) {
    const [id, raw, dst, order, shortStd, longStd, shortDst, longDst] = line.split('|');
    if (id === undefined || longDst === undefined) continue;
    rows.set(id.toLowerCase(), {
      id,
      rawOffsetMs: Number(raw) * MS_PER_MINUTE,
      dstSavingsMs: Number(dst) * MS_PER_MINUTE,
      searchOrder: Number(order),
      names: [shortStd ?? '', longStd ?? '', shortDst ?? '', longDst],
    });
  }
  javaZoneRows = rows;
  return rows;
}

/** Rows in the order SimpleDateFormat.subParseZoneString walks them. */
export function javaZoneSearchOrder(): readonly JavaZoneRow[] {
  if (!javaZoneSearchList) {
    javaZoneSearchList = [...javaZones().values()]
      .filter((row) => row.searchOrder >= 0)
      .sort((a, b) => a.searchOrder - b.searchOrder);
  }
  return javaZoneSearchList;
}

/** Java's ZoneId.SHORT_IDS: the three-letter ids old java.util.TimeZone still accepts. */
const SHORT_IDS: Readonly<Record<string, string>> = {
  ACT: 'Australia/Darwin',
  AET: 'Australia/Sydney',
  AGT: 'America/Argentina/Buenos_Aires',
  ART: 'Africa/Cairo',
  AST: 'America/Anchorage',
  BET: 'America/Sao_Paulo',
  BST: 'Asia/Dhaka',
  CAT: 'Africa/Harare',
  CNT: 'America/St_Johns',
  CST: 'America/Chicago',
  CTT: 'Asia/Shanghai',
  EAT: 'Africa/Addis_Ababa',
  ECT: 'Europe/Paris',
  IET: 'America/Indiana/Indianapolis',
  IST: 'Asia/Kolkata',
  JST: 'Asia/Tokyo',
  MIT: 'Pacific/Apia',
  NET: 'Asia/Yerevan',
  NST: 'Pacific/Auckland',
  PLT: 'Asia/Karachi',
  PNT: 'America/Phoenix',
  PRT: 'America/Puerto_Rico',
  PST: 'America/Los_Angeles',
  SST: 'Pacific/Guadalcanal',
  VST: 'Asia/Ho_Chi_Minh',
  EST: '-05:00',
  MST: '-07:00',
  HST: '-10:00',
};

/** Java's ZoneInfoFile.toCustomID: 'GMT+05:45'. */
export function customZoneId(offsetMs: number): string {
  return `GMT${formatOffset(offsetMs)}`;
}

function formatOffset(offsetMs: number): string {
  const totalMinutes = Math.trunc(offsetMs / MS_PER_MINUTE);
  const sign = totalMinutes < 0 ? '-' : '+';
  const abs = Math.abs(totalMinutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

class FixedZone implements Zone {
  readonly fixedOffsetMs: number;
  readonly dstSavingsMs = 0;

  constructor(
    readonly canonical: string,
    readonly javaId: string,
    readonly names: ZoneNames,
    offsetMs: number,
  ) {
    this.fixedOffsetMs = offsetMs;
  }

  offsetAt(): number {
    return this.fixedOffsetMs;
  }

  isDaylightAt(): boolean {
    return false;
  }

  rawOffsetAt(): number {
    return this.fixedOffsetMs;
  }
}

/** Offsets within one UTC day: constant, or one transition (tzdb never has two in a day for live zones). */
interface DayOffsets {
  readonly startOffsetMs: number;
  readonly endOffsetMs: number;
  /** First instant (ms) at which endOffsetMs applies; only when the offsets differ. */
  readonly transitionAt: number;
}

const MAX_CACHED_DAYS = 8192;

/** An IANA zone read through Intl (the ICU tz database), with offsets cached per UTC day. */
class IanaZone implements Zone {
  readonly fixedOffsetMs = undefined;
  private readonly dayCache = new Map<number, DayOffsets>();
  private readonly yearStandardOffset = new Map<number, number>();
  private readonly formatter: Intl.DateTimeFormat;

  constructor(
    readonly canonical: string,
    readonly javaId: string,
    readonly names: ZoneNames,
    readonly dstSavingsMs: number,
  ) {
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: canonical,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  offsetAt(epochMs: number): number {
    const day = Math.floor(epochMs / MS_PER_DAY);
    let offsets = this.dayCache.get(day);
    if (!offsets) {
      offsets = this.computeDay(day);
      if (this.dayCache.size >= MAX_CACHED_DAYS) this.dayCache.clear();
      this.dayCache.set(day, offsets);
    }
    return epochMs < offsets.transitionAt ? offsets.startOffsetMs : offsets.endOffsetMs;
  }

  isDaylightAt(epochMs: number): boolean {
    return this.offsetAt(epochMs) > this.standardOffsetOfYear(epochMs);
  }

  rawOffsetAt(epochMs: number): number {
    const offset = this.offsetAt(epochMs);
    const standard = this.standardOffsetOfYear(epochMs);
    return offset > standard ? standard : offset;
  }

  /**
   * Intl does not say whether an offset is daylight time. Java's DST_OFFSET is non-zero when the offset
   * is above the year's standard offset, which we take as the smaller of the January and July offsets.
   */
  private standardOffsetOfYear(epochMs: number): number {
    const year = new Date(epochMs).getUTCFullYear();
    let standard = this.yearStandardOffset.get(year);
    if (standard === undefined) {
      const january = new Date(0);
      january.setUTCFullYear(year, 0, 1);
      const july = new Date(0);
      july.setUTCFullYear(year, 6, 1);
      standard = Math.min(this.offsetAt(january.getTime()), this.offsetAt(july.getTime()));
      this.yearStandardOffset.set(year, standard);
    }
    return standard;
  }

  private computeDay(day: number): DayOffsets {
    const start = day * MS_PER_DAY;
    const end = start + MS_PER_DAY - 1;
    const startOffsetMs = this.intlOffset(start);
    const endOffsetMs = this.intlOffset(end);
    if (startOffsetMs === endOffsetMs) return { startOffsetMs, endOffsetMs, transitionAt: Infinity };
    // Binary search to the second (tzdb transitions fall on whole seconds).
    let low = start / 1000; // offset at low is startOffsetMs
    let high = Math.floor(end / 1000); // offset at high is endOffsetMs
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (this.intlOffset(mid * 1000) === startOffsetMs) low = mid;
      else high = mid;
    }
    return { startOffsetMs, endOffsetMs, transitionAt: high * 1000 };
  }

  /** UTC offset at an instant: the zone's wall clock minus UTC, to the second. */
  private intlOffset(epochMs: number): number {
    const wholeSecond = Math.floor(epochMs / 1000) * 1000;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let beforeCommonEra = false;
    for (const part of this.formatter.formatToParts(wholeSecond)) {
      const { type, value } = part;
      if (type === 'year') year = Number(value);
      else if (type === 'month') month = Number(value);
      else if (type === 'day') day = Number(value);
      else if (type === 'hour') hour = Number(value);
      else if (type === 'minute') minute = Number(value);
      else if (type === 'second') second = Number(value);
      else if (type === 'era') beforeCommonEra = value.startsWith('B');
    }
    const wall = new Date(0);
    wall.setUTCFullYear(beforeCommonEra ? 1 - year : year, month - 1, day);
    wall.setUTCHours(hour, minute, second, 0);
    return wall.getTime() - wholeSecond;
  }
}

/** The 'GMT+hh:mm' names Java gives a zone it has no names for. */
function customNames(javaId: string): ZoneNames {
  return [javaId, javaId, javaId, javaId];
}

const OFFSET_ZONE = /^(?:GMT|UTC)?([+-])(?:(\d{1,2})(?::(\d{2}))?|(\d{2})(\d{2}))$/i;

function parseOffsetZone(text: string): number | undefined {
  const match = OFFSET_ZONE.exec(text);
  if (!match) return undefined;
  const hours = Number(match[2] ?? match[4]);
  const minutes = Number(match[3] ?? match[5] ?? '0');
  if (hours > 23 || minutes > 59) return undefined;
  const magnitude = (hours * 60 + minutes) * MS_PER_MINUTE;
  return match[1] === '-' ? -magnitude : magnitude;
}

function fixedOffsetZone(offsetMs: number, javaId?: string): Zone {
  const canonical = formatOffset(offsetMs);
  const id = javaId ?? customZoneId(offsetMs);
  const row = javaZones().get(id.toLowerCase());
  return new FixedZone(canonical, id, row ? row.names : customNames(id), offsetMs);
}

function isIntlZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function buildZone(name: string): Zone {
  const upper = name.toUpperCase();
  if (upper === 'GMT' || upper === 'UTC' || upper === 'Z') {
    const id = upper === 'UTC' ? 'UTC' : 'GMT';
    const row = javaZones().get(id.toLowerCase());
    return new FixedZone(id, id, row ? row.names : customNames(id), 0);
  }
  const offsetMs = parseOffsetZone(name);
  if (offsetMs !== undefined) return fixedOffsetZone(offsetMs);

  const shortTarget = SHORT_IDS[upper];
  if (shortTarget !== undefined) {
    const fixed = parseOffsetZone(shortTarget);
    if (fixed !== undefined) return fixedOffsetZone(fixed, upper);
    const row = javaZones().get(upper.toLowerCase());
    return new IanaZone(shortTarget, upper, row ? row.names : customNames(upper), row?.dstSavingsMs ?? 0);
  }

  const row = javaZones().get(name.toLowerCase());
  if (row) return new IanaZone(row.id, row.id, row.names, row.dstSavingsMs);
  // A zone newer than the JDK's table: Java would not know it, Intl does; name it like Java names
  // zones without names (by offset), computed at render time from the raw offset.
  if (name.includes('/') && isIntlZone(name)) {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    const id = canonical.toLowerCase() === name.toLowerCase() ? canonical : name;
    const probe = new IanaZone(id, id, customNames(id), 0);
    const custom = customZoneId(probe.rawOffsetAt(Date.now()));
    return new IanaZone(id, id, customNames(custom), 0);
  }
  throw new DateTemplateError(
    'UNKNOWN_ZONE',
    `Unknown time zone "${name}": use an IANA name (America/Toronto), GMT or UTC, a Java abbreviation ` +
      `(PST, EST, CET, IST…) or an offset (+05:30, -8:00, GMT-8)`,
  );
}

const zoneCache = new Map<string, Zone>();

/** Resolves (and caches) a zone the way java.util.TimeZone would, but refuses unknown names instead of using GMT. */
export function zoneFor(zone: string): Zone {
  let resolved = zoneCache.get(zone);
  if (!resolved) {
    if (typeof zone !== 'string' || zone.trim() === '') {
      throw new DateTemplateError(
        'UNKNOWN_ZONE',
        `Time zone must be a non-empty string, got ${JSON.stringify(zone)}`,
      );
    }
    resolved = buildZone(zone.trim());
    if (zoneCache.size > 1024) zoneCache.clear();
    zoneCache.set(zone, resolved);
  }
  return resolved;
}

export const GMT: Zone = zoneFor('GMT');

/** Canonical IANA name ('America/Los_Angeles' for PST) or fixed offset ('+05:30'; '-05:00' for EST). */
export function resolveZone(zone: string): string {
  return zoneFor(zone).canonical;
}

/**
 * The instant of a wall-clock time in a zone, as java.util.GregorianCalendar decides it: in a gap
 * (spring forward) the offset from before the transition applies, in an overlap (fall back) the one
 * from after it (standard time).
 */
export function wallToInstant(wallMs: number, zone: Zone): number {
  if (zone.fixedOffsetMs !== undefined) return wallMs - zone.fixedOffsetMs;
  const earlyOffset = zone.offsetAt(wallMs - MS_PER_DAY);
  const lateOffset = zone.offsetAt(wallMs + MS_PER_DAY);
  if (earlyOffset === lateOffset) {
    const candidate = wallMs - earlyOffset;
    const actual = zone.offsetAt(candidate);
    return actual === earlyOffset ? candidate : wallMs - actual;
  }
  const late = wallMs - lateOffset;
  return zone.offsetAt(late) === lateOffset ? late : wallMs - earlyOffset;
}
