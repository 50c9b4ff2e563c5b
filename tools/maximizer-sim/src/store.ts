import type { SimClock } from '@pollcast/tool-process';
import type { DateRenderer } from './dates';
import {
  type AbEntryType,
  type EntityName,
  type FieldValue,
  type StoredRecord,
  ENTITY_FIELDS,
  ENTITY_NAMES,
  fieldSpec,
  makeKey,
} from './entities';
import {
  type PagePosition,
  compareRecords,
  compareToPosition,
  decodePageKey,
  encodePageKey,
  positionOf,
} from './page-key';
import {
  type SortField,
  OctopusError,
  RecordNotFoundError,
  compileCriteria,
  compileOrderBy,
  compileScope,
  orderSignature,
} from './query';
import {
  SEED_MIX_KINDS,
  type SeedKind,
  type SeedOptions,
  type SeedResult,
  generateSeedRecords,
} from './seed';
import { ChangeLog } from './change-log';
import { collect, EntityTable, lowerBound } from './entity-table';
import type {
  ChangeLogEntry,
  ChangeQuery,
  EntityInput,
  OctopusReadRequest,
  ReadResult,
  RenderedRecord,
} from './store-types';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ORDER_MODIFIED_THEN_KEY = 'LastModifyDate:ASC,Key:ASC';
const ORDER_KEY = 'Key:ASC';

/**
 * The simulator's data: records of every entity, the change log, and the Octopus semantics of
 * Read / Create / Update / Delete. Used by the Octopus endpoints, the control API and in-process tests.
 */
export class RecordStore {
  private readonly tables: Record<EntityName, EntityTable> = {
    AbEntry: new EntityTable(),
    Opportunity: new EntityTable(),
  };
  private readonly changeLog: ChangeLog;
  private keySequence = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly dates: DateRenderer,
  ) {
    this.changeLog = new ChangeLog(clock, dates);
  }

  // ---- Create / Update / Delete -------------------------------------------------------------------

  /** Creates a record stamped with the simulator's now; throws OctopusError on invalid data. */
  create<E extends EntityName>(entity: E, fields: EntityInput<E>): RenderedRecord {
    return this.createFromWire(entity, fields);
  }

  /** Updates the given fields and stamps LastModifyDate; throws RecordNotFoundError / OctopusError. */
  update<E extends EntityName>(entity: E, key: string, changes: EntityInput<E>): RenderedRecord {
    return this.updateFromWire(entity, { ...changes, Key: key });
  }

  delete(entity: EntityName, key: string): { Key: string } {
    return this.deleteFromWire(entity, { Key: key });
  }

  read(entity: EntityName, request: OctopusReadRequest = {}): ReadResult {
    return this.readFromWire(entity, request);
  }

  createFromWire(entity: EntityName, data: unknown): RenderedRecord {
    const values = this.validateWritable(entity, data, 'create');
    if (entity === 'AbEntry') {
      const type = values['Type'];
      if (type === undefined || type === null) throw new OctopusError("Field 'Type' is required for AbEntry");
      this.checkParentKey(type as AbEntryType, values['ParentKey'] ?? null);
    } else {
      values['Status'] ??= 'Open';
    }
    const record = this.newRecord(entity, values, this.clock.nowSeconds());
    this.tables[entity].insert(record);
    this.changeLog.record(record, 'created');
    return this.render(record, null);
  }

  updateFromWire(entity: EntityName, data: unknown): RenderedRecord {
    const values = this.validateWritable(entity, data, 'update');
    const record = this.requireRecord(entity, data);
    if (entity === 'AbEntry') {
      if (values['Type'] !== undefined && values['Type'] !== record.values['Type']) {
        throw new OctopusError("Field 'Type' cannot be changed");
      }
      if (values['ParentKey'] !== undefined) {
        this.checkParentKey(record.values['Type'] as AbEntryType, values['ParentKey'], record.key);
      }
    }
    Object.assign(record.values, values);
    // Maximizer stamps every update, even one that changes nothing.
    this.tables[entity].touch(record, this.clock.nowSeconds());
    this.changeLog.record(record, 'updated');
    return this.render(record, null);
  }

  deleteFromWire(entity: EntityName, data: unknown): { Key: string } {
    if (!isPlainObject(data)) throw new OctopusError(`${entity}.Data must be an object with a Key`);
    const extra = Object.keys(data).filter((field) => field !== 'Key');
    if (extra.length > 0) throw new OctopusError(`Delete takes only Key (got '${extra.join("', '")}')`);
    const record = this.requireRecord(entity, data);
    this.tables[entity].remove(record);
    this.changeLog.record(record, 'deleted');
    return { Key: record.key };
  }

  get(entity: EntityName, key: string): RenderedRecord | undefined {
    const record = this.tables[entity].byKey.get(key);
    return record ? this.render(record, null) : undefined;
  }

  count(entity?: EntityName): number {
    if (entity) return this.tables[entity].byKey.size;
    return ENTITY_NAMES.reduce((sum, name) => sum + this.tables[name].byKey.size, 0);
  }

  countsByType(): Record<string, number> {
    const counts: Record<string, number> = { Company: 0, Individual: 0, Contact: 0, Opportunity: 0 };
    for (const record of this.tables.AbEntry.byKey.values()) {
      const type = String(record.values['Type']);
      counts[type] = (counts[type] ?? 0) + 1;
    }
    counts['Opportunity'] = this.tables.Opportunity.byKey.size;
    return counts;
  }

  // ---- Read ---------------------------------------------------------------------------------------

  readFromWire(entity: EntityName, request: unknown): ReadResult {
    if (!isPlainObject(request)) throw new OctopusError(`${entity} must be an object`);
    const allowed = ['Scope', 'Criteria', 'OrderBy', 'PageSize', 'PageKey'];
    for (const name of Object.keys(request)) {
      if (!allowed.includes(name)) throw new OctopusError(`Unknown property '${name}' in ${entity}`);
    }
    const pageSize = request['PageSize'] ?? DEFAULT_PAGE_SIZE;
    if (
      typeof pageSize !== 'number' ||
      !Number.isInteger(pageSize) ||
      pageSize < 1 ||
      pageSize > MAX_PAGE_SIZE
    ) {
      throw new OctopusError(`PageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    const fields = compileScope(entity, request['Scope']);
    const criteria = compileCriteria(entity, request['Criteria']);
    const order = compileOrderBy(entity, request['OrderBy']);
    const after = request['PageKey'] === undefined ? null : decodePageKey(entity, order, request['PageKey']);

    const table = this.tables[entity];
    const signature = orderSignature(order);
    // One match beyond the page tells whether a PageKey is needed.
    const wanted = pageSize + 1;
    let matches: StoredRecord[];
    if (signature === ORDER_MODIFIED_THEN_KEY) {
      matches = this.scanModifiedIndex(table, criteria, order, after, wanted);
    } else if (signature === ORDER_KEY) {
      const sorted = table.byKeyOrder();
      const start = after ? lowerBound(sorted, (record) => compareToPosition(order, record, after) > 0) : 0;
      matches = collect(sorted, start, sorted.length, criteria.matches, wanted, null);
    } else {
      matches = [];
      for (const record of table.byKey.values()) {
        if ((!after || compareToPosition(order, record, after) > 0) && criteria.matches(record))
          matches.push(record);
      }
      matches.sort((a, b) => compareRecords(order, a, b));
      matches.length = Math.min(matches.length, wanted);
    }

    const page = matches.slice(0, pageSize);
    const last = page[page.length - 1];
    const data = page.map((record) => this.render(record, fields));
    return matches.length > pageSize && last
      ? { entity, data, pageKey: encodePageKey(entity, order, positionOf(order, last)) }
      : { entity, data };
  }

  /** A PageKey that resumes at `pageKey`'s position (or the start): used by the empty-page fault. */
  pageKeyForSamePosition(entity: EntityName, request: unknown): string {
    const orderBy = isPlainObject(request) ? request['OrderBy'] : undefined;
    const order = compileOrderBy(entity, orderBy);
    const pageKey = isPlainObject(request) ? request['PageKey'] : undefined;
    if (typeof pageKey === 'string') return pageKey;
    return encodePageKey(entity, order);
  }

  private scanModifiedIndex(
    table: EntityTable,
    criteria: ReturnType<typeof compileCriteria>,
    order: readonly SortField[],
    after: PagePosition | null,
    wanted: number,
  ): StoredRecord[] {
    const sorted = table.byModified;
    let start = 0;
    const fromSeconds = criteria.modifiedFromSeconds;
    if (fromSeconds !== null) start = lowerBound(sorted, (record) => record.lastModifySeconds >= fromSeconds);
    if (after) {
      const afterPage = lowerBound(sorted, (record) => compareToPosition(order, record, after) > 0);
      start = Math.max(start, afterPage);
    }
    return collect(sorted, start, sorted.length, criteria.matches, wanted, criteria.modifiedToSeconds);
  }

  // ---- Seeding ------------------------------------------------------------------------------------

  seed(options: SeedOptions): SeedResult {
    const startedAt = performance.now();
    const nowMs = this.clock.nowMs();
    const toSeconds = Math.floor((options.to?.getTime() ?? nowMs) / 1000);
    const fromSeconds = Math.floor((options.from?.getTime() ?? nowMs - 30 * 24 * 3600 * 1000) / 1000);
    if (fromSeconds > toSeconds) throw new OctopusError('seed: from must not be after to');
    const existingCompanies: string[] = [];
    const existingAbEntries: string[] = [];
    for (const record of this.tables.AbEntry.byKey.values()) {
      existingAbEntries.push(record.key);
      if (record.values['Type'] === 'Company') existingCompanies.push(record.key);
    }
    const generated = generateSeedRecords({
      count: options.count,
      seed: options.seed ?? 1,
      fromSeconds,
      toSeconds,
      mix: options.mix,
      firstSequence: this.keySequence + 1,
      existingCompanies,
      existingAbEntries,
    });
    this.keySequence += options.count;
    this.tables.AbEntry.insertMany(generated.AbEntry);
    this.tables.Opportunity.insertMany(generated.Opportunity);
    if (options.logChanges) {
      for (const entity of ENTITY_NAMES)
        for (const record of generated[entity]) this.changeLog.record(record, 'created');
    }
    const created = Object.fromEntries(SEED_MIX_KINDS.map((kind) => [kind, 0])) as Record<SeedKind, number>;
    for (const record of generated.AbEntry) created[record.values['Type'] as SeedKind] += 1;
    created.Opportunity = generated.Opportunity.length;
    return {
      created,
      total: options.count,
      from: new Date(fromSeconds * 1000).toISOString(),
      to: new Date(toSeconds * 1000).toISOString(),
      ms: Math.round(performance.now() - startedAt),
    };
  }

  // ---- Change log ---------------------------------------------------------------------------------

  changes(query: ChangeQuery = {}): ChangeLogEntry[] {
    return this.changeLog.list(query);
  }

  clearChanges(): void {
    this.changeLog.clear();
  }

  reset(): void {
    for (const entity of ENTITY_NAMES) this.tables[entity].clear();
    this.changeLog.reset();
    this.keySequence = 0;
  }

  // ---- Internals ----------------------------------------------------------------------------------

  render(record: StoredRecord, fields: readonly string[] | null): RenderedRecord {
    const rendered: RenderedRecord = {};
    for (const field of fields ?? Object.keys(ENTITY_FIELDS[record.entity])) {
      if (field === 'Key') rendered[field] = record.key;
      else if (field === 'CreationDate') rendered[field] = this.dates.render(record.creationSeconds);
      else if (field === 'LastModifyDate') rendered[field] = this.dates.render(record.lastModifySeconds);
      else rendered[field] = record.values[field] ?? null;
    }
    return rendered;
  }

  private newRecord(
    entity: EntityName,
    values: Record<string, FieldValue>,
    nowSeconds: number,
  ): StoredRecord {
    this.keySequence += 1;
    const kind = entity === 'AbEntry' ? String(values['Type']) : 'Opportunity';
    const complete: Record<string, FieldValue> = {};
    for (const [field, spec] of Object.entries(ENTITY_FIELDS[entity])) {
      if (spec.kind !== 'key' && spec.kind !== 'date') complete[field] = values[field] ?? null;
    }
    return {
      entity,
      key: makeKey(kind, this.keySequence),
      creationSeconds: nowSeconds,
      lastModifySeconds: nowSeconds,
      values: complete,
    };
  }

  private requireRecord(entity: EntityName, data: unknown): StoredRecord {
    const key = isPlainObject(data) ? data['Key'] : undefined;
    if (typeof key !== 'string' || key.length === 0) throw new OctopusError(`Field 'Key' is required`);
    const record = this.tables[entity].byKey.get(key);
    if (!record) throw new RecordNotFoundError(`${entity} with Key '${key}' not found`);
    return record;
  }

  private checkParentKey(type: AbEntryType, parentKey: FieldValue, ownKey?: string): void {
    if (type !== 'Contact') {
      if (parentKey !== null) throw new OctopusError(`Field 'ParentKey' is only allowed on Contacts`);
      return;
    }
    if (typeof parentKey !== 'string') throw new OctopusError(`Field 'ParentKey' is required for a Contact`);
    const parent = this.tables.AbEntry.byKey.get(parentKey);
    if (!parent || parent.values['Type'] !== 'Company' || parent.key === ownKey) {
      throw new OctopusError(`Field 'ParentKey' must be the Key of an existing Company`);
    }
  }

  /** Validates Create / Update data: known, writable fields with values of the right kind. */
  private validateWritable(
    entity: EntityName,
    data: unknown,
    mode: 'create' | 'update',
  ): Record<string, FieldValue> {
    if (!isPlainObject(data)) throw new OctopusError(`${entity}.Data must be an object`);
    const values: Record<string, FieldValue> = {};
    for (const [field, value] of Object.entries(data)) {
      const spec = fieldSpec(entity, field);
      if (!spec) throw new OctopusError(`Unknown field '${field}' in ${entity}.Data`);
      if (spec.kind === 'key') {
        if (mode === 'create') throw new OctopusError(`Field 'Key' is assigned by the server`);
        continue;
      }
      if (spec.kind === 'date') throw new OctopusError(`Field '${field}' is maintained by the server`);
      if (value === null) {
        if (spec.kind === 'enum') throw new OctopusError(`Field '${field}' cannot be null`);
        values[field] = null;
      } else if (spec.kind === 'number') {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new OctopusError(`Field '${field}' must be a number`);
        }
        values[field] = value;
      } else if (typeof value !== 'string') {
        throw new OctopusError(`Field '${field}' must be a string`);
      } else if (spec.kind === 'enum' && !spec.values?.includes(value)) {
        throw new OctopusError(`Field '${field}' must be one of ${spec.values?.join(', ') ?? ''}`);
      } else {
        values[field] = value;
      }
    }
    if (entity === 'Opportunity' && typeof values['AbEntryKey'] === 'string') {
      if (!this.tables.AbEntry.byKey.has(values['AbEntryKey'])) {
        throw new OctopusError(`Field 'AbEntryKey' must be the Key of an existing AbEntry`);
      }
    }
    return values;
  }
}
