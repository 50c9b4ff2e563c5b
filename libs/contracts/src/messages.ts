import { z } from 'zod';

const isoInstant = z.iso.datetime({ offset: true });

/**
 * A provider record: a JSON object whose members are not examined. `z.record(z.string(), z.unknown())`
 * accepts the same values, but copies each one member by member on every parse (7–9 µs for a 40-field
 * record, in every service that reads a raw change or an event; BENCHMARKS.md), and its copy silently
 * dropped a member named `__proto__`. Its JSON Schema is what `z.record` gave.
 */
export const providerRecordSchema = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    { message: 'Invalid input: expected an object' },
  )
  .meta({ type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} });

// The canonical poller configuration has one definition, the two schemas below. @pollcast/config-schema
// produces it from an instance body (every spelling resolved, every default applied; its
// `ResourcePollerConfig` and `DateFieldConfig` are these types), the instance snapshot carries it, and
// the poller and normalizer act on it. It lives here rather than in config-schema because the module
// boundaries let config-schema (type:domain) import contracts (type:util), not the other way round.

/** Where a record's date lives and how to read it. */
export const dateFieldSchema = z.object({
  /** Dotted JSON path of the field inside a provider record, e.g. `LastModifyDate`. */
  field: z.string().min(1),
  /** A Java SimpleDateFormat pattern, or the literal `milliseconds` (epoch milliseconds). */
  format: z.string().min(1),
  /** The zone the provider writes the date in, as the client wrote it (validated); default `GMT`. */
  zone: z.string().min(1),
});
export type DateField = z.infer<typeof dateFieldSchema>;

/** How deletions of a resource's records are detected (absent = not at all, as in Open Connectors). */
export const deletionsSchema = z.discriminatedUnion('mode', [
  z.object({
    /** Every `intervalMinutes` the poller lists every id of the resource and diffs it with the ids it knew. */
    mode: z.literal('reconcile'),
    intervalMinutes: z.number().int().min(1),
  }),
  z.object({
    /** Soft delete: a record whose `field` (dotted path) equals `value` becomes a DELETED event. */
    mode: z.literal('flag'),
    field: z.string().min(1),
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  }),
]);
export type Deletions = z.infer<typeof deletionsSchema>;

/** One polled resource's poller configuration in canonical form, with every default applied. */
export const resourcePollerSchema = z.object({
  /** Resource name as configured (the key in `event.poller.configuration`), e.g. `contacts`. */
  resource: z.string().min(1),
  /** Hub URL template with `${…}` date placeholders, kept verbatim (trailing text included). */
  url: z.string().min(1),
  /** Dotted JSON path of the record id; becomes the event's `objectId`. */
  idField: z.string().min(1),
  updated: dateFieldSchema.optional(),
  created: dateFieldSchema.optional(),
  /** true: the window filter uses the updated date; false: the created date. Default true. */
  filterByUpdatedDate: z.boolean(),
  /** true: the window has an upper bound (the poll's start time). Default false. */
  filterByCurrentDate: z.boolean(),
  /** Seconds within which created == updated counts as CREATED. Default 10. */
  createdCheckTolerance: z.number().min(0),
  /** Records per provider page, 1..1000. Default 100. */
  pageSize: z.number().int().min(1).max(1000),
  /** Seconds subtracted from the window start. Default 0. */
  pollDelay: z.number().min(0),
  /** Deletion detection; absent = off (the default). */
  deletions: deletionsSchema.optional(),
});
export type ResourcePoller = z.infer<typeof resourcePollerSchema>;

/** Value of `pollcast.instances.v1` (key: instance id). Never carries a secret. */
export const instanceSnapshotSchema = z.object({
  id: z.string().min(1),
  organizationId: z.string().min(1),
  elementKey: z.string().min(1),
  name: z.string(),
  tags: z.array(z.string()),
  /** false = the instance is disabled: nothing polls or delivers. */
  enabled: z.boolean(),
  /** false = its credentials failed (e.g. a refresh was refused). */
  valid: z.boolean(),
  /** Non-secret element configuration (e.g. `maximizer.url`, `maximizer.alias`). */
  elementConfig: z.record(z.string(), z.string()),
  events: z.object({
    enabled: z.boolean(),
    vendorType: z.enum(['polling', 'webhook']),
    callbackUrl: z.string().optional(),
    hasSignatureKey: z.boolean(),
    refreshIntervalMinutes: z.number().positive(),
    resources: z.array(resourcePollerSchema),
  }),
  createdAt: isoInstant,
  updatedAt: isoInstant,
  /** Monotonic per instance: consumers ignore a snapshot older than the one they hold. */
  version: z.number().int().min(0),
});
export type InstanceSnapshot = z.infer<typeof instanceSnapshotSchema>;

/** Value of `pollcast.changes.raw.v1`: one provider record from one poll page. Self-contained so the
 * normalizer needs no other state to classify it. */
export const rawChangeSchema = z.object({
  instanceId: z.string().min(1),
  organizationId: z.string().min(1),
  elementKey: z.string().min(1),
  resource: z.string().min(1),
  objectId: z.string().min(1),
  record: providerRecordSchema,
  pollId: z.string().min(1),
  window: z.object({ from: isoInstant, to: isoInstant.optional() }),
  polledAt: isoInstant,
  page: z.number().int().min(0),
  updated: dateFieldSchema.optional(),
  created: dateFieldSchema.optional(),
  createdCheckTolerance: z.number().min(0),
  filterByUpdatedDate: z.boolean(),
  /** A reconciliation found the object gone: `record` is empty, `pollId` is the reconciliation's id. */
  deleted: z.literal(true).optional(),
  /** The resource's `flag` deletion rule: a record matching it is a deletion. */
  deletedFlag: z
    .object({ field: z.string().min(1), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) })
    .optional(),
});
export type RawChange = z.infer<typeof rawChangeSchema>;

export const EVENT_TYPES = ['CREATED', 'UPDATED', 'DELETED', 'UNKNOWN'] as const;
export const eventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof eventTypeSchema>;

/** Value of `pollcast.events.v1`: the standardized event (JSON Schema: docs/events.schema.json). */
export const standardEventSchema = z.object({
  eventId: z.string().min(1),
  eventType: eventTypeSchema.describe(
    "CREATED, UPDATED, or DELETED (the record is gone: a reconciliation did not list it, or it matches the resource's soft-delete flag); UNKNOWN is not emitted",
  ),
  objectId: z.string().min(1),
  objectType: z.string().min(1),
  elementKey: z.string().min(1),
  instanceId: z.string().min(1),
  organizationId: z.string().min(1),
  /** When the change happened at the provider (its updated date), ISO-8601 UTC. */
  date: isoInstant,
  pollId: z.string().min(1),
  raw: providerRecordSchema.describe(
    'The provider record as polled. DELETED by reconciliation: {} (the record is gone and no copy is kept); DELETED by flag: the flagged record',
  ),
  /** Debezium-style operation: c = create, u = update, d = delete. */
  op: z.enum(['c', 'u', 'd']),
  source: z.object({
    element: z.string(),
    instanceId: z.string(),
    resource: z.string(),
    pollId: z.string(),
    window: z.object({ from: isoInstant, to: isoInstant.optional() }),
    /** Provider timestamp in epoch ms. */
    ts_ms: z.number().int(),
  }),
  /** When Pollcast produced the event, epoch ms. */
  ts_ms: z.number().int(),
  /** Set when a record date could not be parsed; the event is still delivered. */
  dateError: z.string().optional(),
});
export type StandardEvent = z.infer<typeof standardEventSchema>;
