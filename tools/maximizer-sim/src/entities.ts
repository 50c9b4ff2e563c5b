/** The Maximizer entities the simulator serves, their fields, and how each field behaves. */
export const ENTITY_NAMES = ['AbEntry', 'Opportunity'] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

export const AB_ENTRY_TYPES = ['Company', 'Individual', 'Contact'] as const;
export type AbEntryType = (typeof AB_ENTRY_TYPES)[number];
export const OPPORTUNITY_STATUSES = ['Open', 'Won', 'Lost'] as const;

/**
 * key: the record Key (server-assigned); date: server-maintained timestamp (epoch seconds inside,
 * rendered in the server zone); string / number: plain values; enum: one of `values`.
 */
export type FieldKind = 'key' | 'date' | 'string' | 'number' | 'enum';
export interface FieldSpec {
  readonly kind: FieldKind;
  readonly values?: readonly string[];
}

export type FieldValue = string | number | null;

export const ENTITY_FIELDS: Readonly<Record<EntityName, Readonly<Record<string, FieldSpec>>>> = {
  AbEntry: {
    Key: { kind: 'key' },
    Type: { kind: 'enum', values: AB_ENTRY_TYPES },
    CompanyName: { kind: 'string' },
    FirstName: { kind: 'string' },
    LastName: { kind: 'string' },
    Email: { kind: 'string' },
    Phone: { kind: 'string' },
    City: { kind: 'string' },
    ParentKey: { kind: 'string' },
    CreationDate: { kind: 'date' },
    LastModifyDate: { kind: 'date' },
  },
  Opportunity: {
    Key: { kind: 'key' },
    Objective: { kind: 'string' },
    Status: { kind: 'enum', values: OPPORTUNITY_STATUSES },
    Revenue: { kind: 'number' },
    AbEntryKey: { kind: 'string' },
    CreationDate: { kind: 'date' },
    LastModifyDate: { kind: 'date' },
  },
};

/** Fields a client may set on Create / Update (everything but the server-maintained ones). */
export function writableFields(entity: EntityName): string[] {
  return Object.entries(ENTITY_FIELDS[entity])
    .filter(([, spec]) => spec.kind !== 'key' && spec.kind !== 'date')
    .map(([name]) => name);
}

export function isEntityName(value: string): value is EntityName {
  return (ENTITY_NAMES as readonly string[]).includes(value);
}

export function fieldSpec(entity: EntityName, field: string): FieldSpec | undefined {
  return Object.hasOwn(ENTITY_FIELDS[entity], field) ? ENTITY_FIELDS[entity][field] : undefined;
}

/**
 * One stored record. Timestamps are epoch seconds (second precision is part of the protocol);
 * `values` holds every non-system field, null when unset.
 */
export interface StoredRecord {
  readonly entity: EntityName;
  readonly key: string;
  readonly creationSeconds: number;
  lastModifySeconds: number;
  readonly values: Record<string, FieldValue>;
}

export function fieldValue(record: StoredRecord, field: string): FieldValue {
  switch (field) {
    case 'Key':
      return record.key;
    case 'CreationDate':
      return record.creationSeconds;
    case 'LastModifyDate':
      return record.lastModifySeconds;
    default:
      return record.values[field] ?? null;
  }
}

// Keys look like Maximizer's: base64 of "<kind>\t<number>", e.g. "Contact\t230615000000010".
const KEY_NUMBER_BASE = 230615000000000;

// One reused scratch buffer: seeding calls this a million times, and a fresh Buffer per Key (plus
// the garbage it leaves) costs more than the rest of a seeded record.
const keyScratch = Buffer.alloc(256);

export function makeKey(kind: string, sequence: number): string {
  const text = `${kind}\t${KEY_NUMBER_BASE + sequence}`;
  if (text.length > keyScratch.length) return Buffer.from(text, 'latin1').toString('base64');
  const length = keyScratch.write(text, 'latin1');
  return keyScratch.toString('base64', 0, length);
}

/** (LastModifyDate, Key) ascending: the order of each entity's index. */
export function compareByModified(a: StoredRecord, b: StoredRecord): number {
  if (a.lastModifySeconds !== b.lastModifySeconds) return a.lastModifySeconds - b.lastModifySeconds;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Sorts by (LastModifyDate, Key) in place. Seeded timestamps fall in a bounded window, so a counting
 * sort on the second followed by sorting each (small) same-second run by Key beats a comparator sort
 * of a million records several times over; a window much wider than the input falls back to that sort.
 */
export function sortByModified(records: StoredRecord[]): void {
  const count = records.length;
  if (count < 2) return;
  let minSeconds = Number.POSITIVE_INFINITY;
  let maxSeconds = Number.NEGATIVE_INFINITY;
  for (const record of records) {
    if (record.lastModifySeconds < minSeconds) minSeconds = record.lastModifySeconds;
    if (record.lastModifySeconds > maxSeconds) maxSeconds = record.lastModifySeconds;
  }
  const range = maxSeconds - minSeconds + 1;
  if (range > count * 8 + 1024) {
    records.sort(compareByModified);
    return;
  }
  const starts = new Uint32Array(range + 1);
  for (const record of records) starts[record.lastModifySeconds - minSeconds + 1]! += 1;
  for (let second = 1; second <= range; second++) starts[second]! += starts[second - 1]!;
  const sorted = new Array<StoredRecord>(count);
  const next = starts.slice(0, range);
  for (const record of records) sorted[next[record.lastModifySeconds - minSeconds]!++] = record;
  for (let second = 0; second < range; second++) {
    const from = starts[second]!;
    const to = starts[second + 1]!;
    if (to - from > 1) {
      const run = sorted.slice(from, to).sort(compareByModified);
      for (let offset = 0; offset < run.length; offset++) sorted[from + offset] = run[offset]!;
    }
  }
  for (let index = 0; index < count; index++) records[index] = sorted[index]!;
}
