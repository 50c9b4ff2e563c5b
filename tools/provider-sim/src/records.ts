// The simulator's records: one collection per provider object (a Salesforce sObject, a HubSpot object
// type, a GitHub repository's issues, Zendesk tickets), each kept sorted by (updated, seq) so a query
// "updated after T, oldest first" is a binary search and a scan, as the poller asks for it.
import { seededRandom, type SimClock } from '@pollcast/tool-process';

export const PROVIDERS = ['salesforce', 'hubspot', 'github', 'zendesk'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export type FieldValue = string | number | boolean | null;
export type Fields = Record<string, FieldValue>;

export interface SimRecord {
  /** The provider's id as a string (Salesforce 18-char id, HubSpot / GitHub number / Zendesk number). */
  readonly id: string;
  /** Creation order within the collection: the tie-breaker after the updated time. */
  readonly seq: number;
  readonly createdMs: number;
  updatedMs: number;
  fields: Fields;
  /** Zendesk keeps deleted tickets (status "deleted") in its incremental export; others drop them. */
  deleted: boolean;
}

export type ChangeKind = 'created' | 'updated' | 'deleted';

export interface ChangeLogEntry {
  readonly seq: number;
  readonly provider: ProviderName;
  readonly collection: string;
  readonly id: string;
  readonly change: ChangeKind;
  /** The record's updated time after the change (for a delete: its last one), ISO-8601 UTC. */
  readonly updatedAt: string;
  /** Simulator time of the change. */
  readonly at: string;
}

export interface ChangeQuery {
  since?: number;
  provider?: ProviderName;
  collection?: string;
  limit?: number;
}

export interface SeedOptions {
  count: number;
  /** Same seed + same starting state → same records and timestamps. Default 1. */
  seed?: number;
  /** Timestamp window (inclusive, whole seconds); default the 30 days before now. from == to: all share one. */
  from?: Date;
  to?: Date;
  /** Also append each seeded record to the change log as `created` (default false: pre-existing data). */
  logChanges?: boolean;
}

export interface SeedResult {
  readonly provider: ProviderName;
  readonly collection: string;
  readonly total: number;
  readonly from: string;
  readonly to: string;
  /** How many distinct timestamps the seeded records share. */
  readonly distinctTimestamps: number;
  readonly ms: number;
}

export class RecordError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}

/** Per provider: the id form, the timestamp precision and whether deletes stay visible. */
interface ProviderTraits {
  readonly precisionMs: number;
  readonly keepsDeleted: boolean;
  id(collection: string, seq: number): string;
  /** Seeded field values (deterministic from the seq and the random source). */
  seedFields(seq: number, random: () => number): Fields;
  validateCollection(name: string): string | null;
}

const SALESFORCE_PREFIXES: Record<string, string> = {
  Account: '001',
  Contact: '003',
  Opportunity: '006',
  Lead: '00Q',
  Case: '500',
};

const NAMES = ['Ada', 'Bo', 'Chen', 'Dana', 'Eli', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jo', 'Kofi', 'Lena'];
const SURNAMES = ['Lovelace', 'Hopper', 'Turing', 'Noether', 'Curie', 'Okafor', 'Tanaka', 'Silva'];
const pick = (list: readonly string[], random: () => number): string =>
  list[Math.floor(random() * list.length)] ?? list[0] ?? '';

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

export const TRAITS: Record<ProviderName, ProviderTraits> = {
  salesforce: {
    precisionMs: 1000,
    keepsDeleted: false,
    // 3-char key prefix, then a 15-char counter: 18 characters, sorting as the seq does.
    id: (collection, seq) => `${SALESFORCE_PREFIXES[collection] ?? 'a0S'}${String(seq).padStart(15, '0')}`,
    seedFields: (seq, random) => ({ Name: `${pick(SURNAMES, random)} ${seq}` }),
    validateCollection: (name) => (IDENTIFIER.test(name) ? null : 'an sObject name (letters, digits, _)'),
  },
  hubspot: {
    precisionMs: 1,
    keepsDeleted: false,
    id: (_collection, seq) => String(seq),
    seedFields: (seq, random) => {
      const first = pick(NAMES, random);
      const last = pick(SURNAMES, random);
      return { firstname: first, lastname: last, email: `${first}.${last}.${seq}@example.com`.toLowerCase() };
    },
    validateCollection: (name) =>
      ['contacts', 'companies', 'deals', 'tickets'].includes(name)
        ? null
        : 'one of contacts, companies, deals, tickets',
  },
  github: {
    precisionMs: 1000,
    keepsDeleted: false,
    id: (_collection, seq) => String(seq),
    seedFields: (seq, random) => ({
      title: `Issue ${seq}: ${pick(SURNAMES, random)} fails`,
      state: random() < 0.7 ? 'open' : 'closed',
      body: null,
      user: pick(NAMES, random).toLowerCase(),
    }),
    validateCollection: (name) =>
      /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/.test(name) ? null : '"owner/repo"',
  },
  zendesk: {
    precisionMs: 1000,
    keepsDeleted: true,
    id: (_collection, seq) => String(seq),
    seedFields: (seq, random) => ({
      subject: `Ticket ${seq}: ${pick(SURNAMES, random)} cannot log in`,
      status: random() < 0.6 ? 'open' : 'solved',
      priority: random() < 0.5 ? 'normal' : 'high',
    }),
    validateCollection: (name) => (name === 'tickets' ? null : '"tickets"'),
  },
};

const byUpdated = (a: SimRecord, b: SimRecord): number => a.updatedMs - b.updatedMs || a.seq - b.seq;

/** One provider object's records. */
export class Collection {
  private sorted: SimRecord[] = [];
  private readonly byId = new Map<string, SimRecord>();
  private nextSeq = 1;
  /** Every field name a record of this collection ever had (Salesforce checks SELECT lists against it). */
  readonly fieldNames = new Set<string>();

  constructor(
    readonly provider: ProviderName,
    readonly name: string,
  ) {}

  get size(): number {
    return this.sorted.length;
  }

  get(id: string): SimRecord | undefined {
    return this.byId.get(id);
  }

  /** Records ordered by (updated, seq). Do not mutate. */
  all(): readonly SimRecord[] {
    return this.sorted;
  }

  /** Index of the first record updated at or after (`inclusive`) / strictly after `ms`. */
  lowerBound(ms: number, inclusive: boolean): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const at = this.sorted[middle]?.updatedMs ?? 0;
      if (inclusive ? at < ms : at <= ms) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Index of the first record after the position (updatedMs, seq). */
  after(updatedMs: number, seq: number): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const record = this.sorted[middle];
      if (record && (record.updatedMs < updatedMs || (record.updatedMs === updatedMs && record.seq <= seq)))
        low = middle + 1;
      else high = middle;
    }
    return low;
  }

  allocate(): { seq: number; id: string } {
    const seq = this.nextSeq++;
    return { seq, id: TRAITS[this.provider].id(this.name, seq) };
  }

  insert(record: SimRecord): void {
    this.byId.set(record.id, record);
    for (const field of Object.keys(record.fields)) this.fieldNames.add(field);
    this.sorted.splice(this.after(record.updatedMs, record.seq), 0, record);
  }

  /** Appends many records at once (seeding): one sort instead of n splices. */
  insertMany(records: SimRecord[]): void {
    for (const record of records) {
      this.byId.set(record.id, record);
      for (const field of Object.keys(record.fields)) this.fieldNames.add(field);
    }
    this.sorted = this.sorted.concat(records).sort(byUpdated);
  }

  /** Takes the record out of the order (before its updated time changes). */
  detach(record: SimRecord): void {
    const index = this.after(record.updatedMs, record.seq) - 1;
    if (this.sorted[index] === record) this.sorted.splice(index, 1);
  }

  forget(record: SimRecord): void {
    this.detach(record);
    this.byId.delete(record.id);
  }
}

export class RecordStore {
  private readonly collections = new Map<string, Collection>();
  private changeLog: ChangeLogEntry[] = [];
  private changeSeq = 0;

  constructor(private readonly clock: SimClock) {}

  private stamp(provider: ProviderName): number {
    const precision = TRAITS[provider].precisionMs;
    return Math.floor(this.clock.nowMs() / precision) * precision;
  }

  /** The collection, created on first use; throws RecordError for a name the provider cannot have. */
  collection(provider: ProviderName, name: string): Collection {
    const key = `${provider}:${name}`;
    let found = this.collections.get(key);
    if (!found) {
      const problem = TRAITS[provider].validateCollection(name);
      if (problem) throw new RecordError(`collection: ${provider} expects ${problem}`);
      found = new Collection(provider, name);
      this.collections.set(key, found);
    }
    return found;
  }

  /** The collection if it exists (provider endpoints: an unknown one is the provider's "not found"). */
  find(provider: ProviderName, name: string): Collection | undefined {
    return this.collections.get(`${provider}:${name}`);
  }

  list(): { provider: ProviderName; collection: string; records: number }[] {
    return [...this.collections.values()].map((collection) => ({
      provider: collection.provider,
      collection: collection.name,
      records: collection.size,
    }));
  }

  count(): number {
    let total = 0;
    for (const collection of this.collections.values()) total += collection.size;
    return total;
  }

  create(provider: ProviderName, name: string, fields: Fields = {}): SimRecord {
    const collection = this.collection(provider, name);
    const { seq, id } = collection.allocate();
    const now = this.stamp(provider);
    const record: SimRecord = {
      id,
      seq,
      createdMs: now,
      updatedMs: now,
      fields: { ...TRAITS[provider].seedFields(seq, seededRandom(seq)), ...fields },
      deleted: false,
    };
    collection.insert(record);
    this.log(collection, record, 'created');
    return record;
  }

  /** Changes fields (null removes nothing: it sets null) and stamps the updated time, even for a no-op. */
  update(provider: ProviderName, name: string, id: string, fields: Fields = {}): SimRecord {
    const collection = this.collection(provider, name);
    const record = collection.get(id);
    if (!record || record.deleted) throw new RecordError(`${provider} ${name}: no record '${id}'`, 404);
    collection.detach(record);
    record.fields = { ...record.fields, ...fields };
    record.updatedMs = this.stamp(provider);
    collection.insert(record);
    this.log(collection, record, 'updated');
    return record;
  }

  delete(provider: ProviderName, name: string, id: string): SimRecord {
    const collection = this.collection(provider, name);
    const record = collection.get(id);
    if (!record || record.deleted) throw new RecordError(`${provider} ${name}: no record '${id}'`, 404);
    if (TRAITS[provider].keepsDeleted) {
      collection.detach(record);
      record.deleted = true;
      record.updatedMs = this.stamp(provider);
      collection.insert(record);
    } else {
      collection.forget(record);
    }
    this.log(collection, record, 'deleted');
    return record;
  }

  seed(provider: ProviderName, name: string, options: SeedOptions): SeedResult {
    const began = performance.now();
    const collection = this.collection(provider, name);
    const to = options.to ?? this.clock.now();
    const from = options.from ?? new Date(to.getTime() - 30 * 24 * 3600 * 1000);
    const fromSeconds = Math.ceil(from.getTime() / 1000);
    const toSeconds = Math.floor(to.getTime() / 1000);
    if (toSeconds < fromSeconds) throw new RecordError('from: must not be after to (whole seconds)');
    const random = seededRandom(options.seed ?? 1);
    const span = toSeconds - fromSeconds + 1;
    const records: SimRecord[] = [];
    const seconds = new Set<number>();
    for (let index = 0; index < options.count; index++) {
      const { seq, id } = collection.allocate();
      const second = fromSeconds + Math.floor(random() * span);
      seconds.add(second);
      const ms = second * 1000;
      records.push({
        id,
        seq,
        createdMs: ms,
        updatedMs: ms,
        fields: TRAITS[provider].seedFields(seq, random),
        deleted: false,
      });
    }
    collection.insertMany(records);
    if (options.logChanges) for (const record of records) this.log(collection, record, 'created');
    return {
      provider,
      collection: name,
      total: records.length,
      from: new Date(fromSeconds * 1000).toISOString(),
      to: new Date(toSeconds * 1000).toISOString(),
      distinctTimestamps: seconds.size,
      ms: Math.round(performance.now() - began),
    };
  }

  changes(query: ChangeQuery = {}): ChangeLogEntry[] {
    const since = query.since ?? 0;
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const found: ChangeLogEntry[] = [];
    const first = this.changeLog[0]?.seq ?? 1;
    for (let index = Math.max(0, since - first + 1); index < this.changeLog.length; index++) {
      if (found.length >= limit) break;
      const entry = this.changeLog[index];
      if (!entry) continue;
      if (query.provider !== undefined && entry.provider !== query.provider) continue;
      if (query.collection !== undefined && entry.collection !== query.collection) continue;
      found.push(entry);
    }
    return found;
  }

  clearChanges(): void {
    this.changeLog = [];
  }

  reset(): void {
    this.collections.clear();
    this.changeLog = [];
    this.changeSeq = 0;
  }

  private log(collection: Collection, record: SimRecord, change: ChangeKind): void {
    this.changeSeq += 1;
    this.changeLog.push({
      seq: this.changeSeq,
      provider: collection.provider,
      collection: collection.name,
      id: record.id,
      change,
      updatedAt: new Date(record.updatedMs).toISOString(),
      at: this.clock.now().toISOString(),
    });
  }
}
