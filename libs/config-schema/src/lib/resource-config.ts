import { z } from 'zod';
import type { Deletions } from '@pollcast/contracts';
import { deletionsConfigSchema } from './deletions-config';
import { describeValue, didYouMean, isPlainObject, relativeZodIssues, type RelativeIssue } from './issues';
import { flagSchema, requiredStringSchema, wholeNumberSchema } from './scalars';
import { dateFormatProblem, urlTemplateProblem, zoneProblem } from './templates';
import type { DateFieldConfig, ResourcePollerConfig } from './types';

export const DEFAULT_ZONE = 'GMT';
export const RESOURCE_DEFAULTS = {
  filterByUpdatedDate: true,
  filterByCurrentDate: false,
  createdCheckTolerance: 10,
  pageSize: 100,
  pollDelay: 0,
} as const;

/** Resource names end up in Kafka keys (`instance/resource/objectId`) and metric labels. */
export const RESOURCE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Rejects keys outside `shape`, one issue per key, even when other fields are invalid too. */
function withoutUnknownKeys<Shape extends z.ZodRawShape>(shape: Shape, what: string) {
  const allowed = Object.keys(shape);
  return z.looseObject(shape).superRefine(
    (parsed, ctx) => {
      for (const key of Object.keys(parsed)) {
        if (allowed.includes(key)) continue;
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown ${what} key.${didYouMean(key, allowed)} Allowed keys: ${allowed.join(', ')}`,
        });
      }
    },
    { when: (payload) => isPlainObject(payload.value) },
  );
}

/** A date pattern is kept verbatim: in SimpleDateFormat a blank is a literal, not noise. */
const dateFormatSchema = z
  .unknown()
  .transform((value, ctx): string | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '') {
      ctx.addIssue({
        code: 'custom',
        message: `must be a non-empty date format string, got ${describeValue(value)}`,
      });
      return z.NEVER;
    }
    const problem = dateFormatProblem(value);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return value;
  })
  .optional();

const zoneSchema = z
  .unknown()
  .transform((value, ctx): string | undefined => {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      ctx.addIssue({ code: 'custom', message: `must be a time zone string, got ${describeValue(value)}` });
      return z.NEVER;
    }
    const zone = value.trim();
    const problem = zoneProblem(zone);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return zone;
  })
  .optional();

/**
 * A hub path (`/hubs/crm/contacts?where=…`) with `${…}` date placeholders, kept verbatim: text after
 * the query (the seed's trailing blank and stray `"`) is the element layer's to cope with; only the
 * placeholders must be well-formed. Absolute URLs are refused: polling goes through the element.
 */
const urlTemplateSchema = z
  .unknown()
  .transform((value, ctx): string | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !value.trimStart().startsWith('/')) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a hub path starting with "/", e.g. "/hubs/crm/contacts?where=LastModifyDate>'\${gmtDate:yyyy-MM-dd'T'HH:mm:ssXXX}'", got ${describeValue(value)}`,
      });
      return z.NEVER;
    }
    const problem = urlTemplateProblem(value);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return value;
  })
  .optional();

type DateKind = 'updated' | 'created';
type DatePart = 'Field' | 'Format' | 'Timezone';
/**
 * The seed spells the keys `updatedAtField`; the rest of Open Connectors' docs `updatedDateField`.
 * Both are accepted (and `…AtTimezone` by symmetry); giving both spellings with different values is an error.
 */
const DATE_KEY_SPELLINGS = ['At', 'Date'] as const;
const DATE_PARTS: readonly DatePart[] = ['Field', 'Format', 'Timezone'];
const DATE_KINDS: readonly DateKind[] = ['updated', 'created'];

const datePartSchemas: Record<DatePart, z.ZodType<string | undefined, unknown>> = {
  Field: requiredStringSchema,
  Format: dateFormatSchema,
  Timezone: zoneSchema,
};

const datesShape: Record<string, z.ZodType<string | undefined, unknown>> = Object.fromEntries(
  DATE_KINDS.flatMap((kind) =>
    DATE_KEY_SPELLINGS.flatMap((spelling) =>
      DATE_PARTS.map((part) => [`${kind}${spelling}${part}`, datePartSchemas[part]] as const),
    ),
  ),
);

export const datesConfigurationSchema = withoutUnknownKeys(datesShape, 'datesConfiguration');

const secondsSchema = wholeNumberSchema({ min: 0, max: 86_400, unit: 'seconds', example: '10' });

/** One resource's poller configuration in Open Connectors' JSON shape; every key optional here. */
export const resourcePollerConfigSchema = withoutUnknownKeys(
  {
    url: urlTemplateSchema,
    idField: requiredStringSchema,
    datesConfiguration: datesConfigurationSchema.optional(),
    filterByUpdatedDate: flagSchema,
    filterByCurrentDate: flagSchema,
    createdCheckTolerance: secondsSchema,
    pageSize: wholeNumberSchema({ min: 1, max: 1000, unit: 'records', example: '100' }),
    pollDelay: secondsSchema,
    deletions: deletionsConfigSchema,
  },
  'resource poller configuration',
);

/** What one source (client or element default) says about a resource; merged before completion. */
export interface PartialResourceConfig {
  url?: string;
  idField?: string;
  /** Present when the source had a `datesConfiguration`; it replaces the other source's as a whole. */
  dates?: { updated?: DateFieldConfig; created?: DateFieldConfig };
  filterByUpdatedDate?: boolean;
  filterByCurrentDate?: boolean;
  createdCheckTolerance?: number;
  pageSize?: number;
  pollDelay?: number;
  /** null = explicitly off (`{"mode": "off"}`). */
  deletions?: Deletions | null;
}

export function parseResourceObject(value: unknown): {
  partial?: PartialResourceConfig;
  issues: RelativeIssue[];
} {
  const parsed = resourcePollerConfigSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) return { issues: relativeZodIssues(parsed.error.issues) };
  const { datesConfiguration, ...rest } = parsed.data;
  const partial: PartialResourceConfig = dropUndefined(rest);
  const issues: RelativeIssue[] = [];
  if (datesConfiguration !== undefined) {
    partial.dates = resolveDates(datesConfiguration, issues);
  }
  return { partial, issues };
}

function resolveDates(
  dates: Record<string, string | undefined>,
  issues: RelativeIssue[],
): { updated?: DateFieldConfig; created?: DateFieldConfig } {
  const resolved: { updated?: DateFieldConfig; created?: DateFieldConfig } = {};
  for (const kind of DATE_KINDS) {
    const parts: Partial<Record<DatePart, { key: string; value: string }>> = {};
    for (const part of DATE_PARTS) {
      const given = DATE_KEY_SPELLINGS.map((spelling) => `${kind}${spelling}${part}`).flatMap((key) => {
        const value = dates[key];
        return value === undefined ? [] : [{ key, value }];
      });
      const [first, second] = given;
      if (first !== undefined && second !== undefined && first.value !== second.value) {
        issues.push({
          path: ['datesConfiguration', second.key],
          message: `conflicts with "${first.key}" (${JSON.stringify(first.value)}); give only one of the two spellings`,
        });
      }
      if (first !== undefined) parts[part] = first;
    }
    const { Field: field, Format: format, Timezone: zone } = parts;
    if (field === undefined && format === undefined && zone === undefined) continue;
    if (field === undefined) {
      const key = (format ?? zone)?.key ?? `${kind}DateFormat`;
      issues.push({
        path: ['datesConfiguration', key],
        message: `"${key}" is given without "${kind}DateField" (or "${kind}AtField"); name the record field it applies to`,
      });
      continue;
    }
    if (format === undefined) {
      issues.push({
        path: ['datesConfiguration', field.key],
        message: `"${field.key}" needs a format: add "${field.key.replace(/Field$/, 'Format')}" (a Java pattern such as "yyyy-MM-dd'T'HH:mm:ssXXX", or "milliseconds")`,
      });
      continue;
    }
    resolved[kind] = { field: field.value, format: format.value, zone: zone?.value ?? DEFAULT_ZONE };
  }
  return resolved;
}

function dropUndefined<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Client keys over the element's default; a client `datesConfiguration` replaces the default's whole. */
export function mergeResourceConfig(
  elementDefault: PartialResourceConfig | undefined,
  client: PartialResourceConfig,
): PartialResourceConfig {
  return { ...elementDefault, ...client };
}

/** Applies defaults and cross-field rules; issues are relative to the resource's object. */
export function completeResourceConfig(
  resource: string,
  merged: PartialResourceConfig,
  issues: RelativeIssue[],
): ResourcePollerConfig | undefined {
  const before = issues.length;
  if (merged.url === undefined) {
    issues.push({
      path: ['url'],
      message: `is required: the hub path to poll for "${resource}", with a \${…} date placeholder`,
    });
  }
  if (merged.idField === undefined) {
    issues.push({
      path: ['idField'],
      message: 'is required: the (dotted) field of the record id, e.g. "Key" or "id"',
    });
  }
  const filterByUpdatedDate = merged.filterByUpdatedDate ?? RESOURCE_DEFAULTS.filterByUpdatedDate;
  if (!filterByUpdatedDate && merged.dates?.created === undefined) {
    issues.push({
      path: ['filterByUpdatedDate'],
      message:
        'is false, so records are filtered on their created date: add datesConfiguration.createdDateField and createdDateFormat',
    });
  }
  if (issues.length > before || merged.url === undefined || merged.idField === undefined) return undefined;
  const config: ResourcePollerConfig = {
    resource,
    url: merged.url,
    idField: merged.idField,
    filterByUpdatedDate,
    filterByCurrentDate: merged.filterByCurrentDate ?? RESOURCE_DEFAULTS.filterByCurrentDate,
    createdCheckTolerance: merged.createdCheckTolerance ?? RESOURCE_DEFAULTS.createdCheckTolerance,
    pageSize: merged.pageSize ?? RESOURCE_DEFAULTS.pageSize,
    pollDelay: merged.pollDelay ?? RESOURCE_DEFAULTS.pollDelay,
  };
  if (merged.dates?.updated !== undefined) config.updated = merged.dates.updated;
  if (merged.dates?.created !== undefined) config.created = merged.dates.created;
  if (merged.deletions !== undefined && merged.deletions !== null) config.deletions = merged.deletions;
  return config;
}
