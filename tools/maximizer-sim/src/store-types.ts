// The record store's public shapes: what callers write (inputs), read (requests and results) and
// see in the change log.
import type { AbEntryType, EntityName, FieldValue } from './entities';

/** Writable AbEntry fields (Create needs Type; Contacts need ParentKey = a Company's Key). */
export interface AbEntryInput {
  Type?: AbEntryType;
  CompanyName?: string | null;
  FirstName?: string | null;
  LastName?: string | null;
  Email?: string | null;
  Phone?: string | null;
  City?: string | null;
  ParentKey?: string | null;
}

/** Writable Opportunity fields (Status defaults to Open). */
export interface OpportunityInput {
  Objective?: string | null;
  Status?: 'Open' | 'Won' | 'Lost';
  Revenue?: number | null;
  AbEntryKey?: string | null;
}

export type EntityInput<E extends EntityName> = E extends 'AbEntry' ? AbEntryInput : OpportunityInput;

/** The documented Read body (inside `{"<Entity>": …}`); the wire variant accepts anything and validates. */
export interface OctopusReadRequest {
  Scope?: { Fields: Record<string, 0 | 1> };
  Criteria?: { SearchQuery?: SearchQuery };
  OrderBy?: { Fields: Record<string, 'ASC' | 'DESC'>[] };
  PageSize?: number;
  PageKey?: string;
}

/** `{"Field": {"$GT": value}}`, `{"$AND": […]}`, `{"$OR": […]}`. */
export type SearchQuery =
  { $AND: SearchQuery[] } | { $OR: SearchQuery[] } | Record<string, Partial<Record<QueryOperator, unknown>>>;
export type QueryOperator = '$EQ' | '$NE' | '$GT' | '$GE' | '$LT' | '$LE' | '$LIKE' | '$IN' | '$RANGE';

/** A record as the API renders it: field name → value, dates as zoned strings. */
export type RenderedRecord = Record<string, FieldValue>;

export type ChangeKind = 'created' | 'updated' | 'deleted';
export interface ChangeLogEntry {
  readonly seq: number;
  readonly entity: EntityName;
  readonly Key: string;
  /** AbEntry Type (Company / Individual / Contact); null for opportunities. */
  readonly recordType: string | null;
  readonly change: ChangeKind;
  /** The record's LastModifyDate after the change (for deletes: its last one before deletion). */
  readonly LastModifyDate: string;
  /** Simulator time of the change, ISO-8601 UTC (for deletes the only trace of when it happened). */
  readonly at: string;
}

export interface ChangeQuery {
  /** Only entries with seq > since. */
  since?: number;
  entity?: EntityName;
  limit?: number;
}

export interface ReadResult {
  readonly entity: EntityName;
  readonly data: RenderedRecord[];
  readonly pageKey?: string;
}
