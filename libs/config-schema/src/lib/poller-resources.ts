import {
  describeValue,
  formatPath,
  isPlainObject,
  type IssueCollector,
  type PathSegment,
  type RelativeIssue,
} from './issues';
import { findJsonSyntaxError } from './json-syntax';
import {
  completeResourceConfig,
  mergeResourceConfig,
  parseResourceObject,
  RESOURCE_NAME_PATTERN,
  type PartialResourceConfig,
} from './resource-config';
import { isUnset } from './scalars';
import type { ConfigIssue, ElementDescriptor, ResourcePollerConfig } from './types';

/** One resource as one source of configuration names it, with a way to report issues about it. */
export interface ResourceEntry {
  resource: string;
  partial: PartialResourceConfig;
  /** `{}`: "the element's default for it". */
  empty: boolean;
  /** Roots issues relative to this entry's object where the client will find them. */
  report(issues: readonly RelativeIssue[]): ConfigIssue[];
}

/**
 * `event.poller.configuration` as an object, or as that object JSON-encoded in a string (the form
 * Open Connectors stores element defaults in). Issues inside a string use the same paths as the
 * object form would, since the client wrote those keys either way.
 */
export function parsePollerConfiguration(
  value: unknown,
  path: readonly PathSegment[],
  collector: IssueCollector,
): ResourceEntry[] | undefined {
  if (isUnset(value)) return undefined;
  let decoded: unknown = value;
  if (typeof value === 'string') {
    try {
      decoded = JSON.parse(value);
    } catch (error: unknown) {
      const syntax = findJsonSyntaxError(value);
      const detail =
        syntax === undefined
          ? error instanceof Error
            ? error.message
            : String(error)
          : `${syntax.problem} at position ${syntax.position} (line ${syntax.line}, column ${syntax.column})`;
      collector.error(path, `is a string but not valid JSON: ${detail}`);
      return undefined;
    }
  }
  if (!isPlainObject(decoded)) {
    collector.error(
      path,
      `must be a JSON object keyed by resource name (or that object as a JSON string), got ${describeValue(decoded)}`,
    );
    return undefined;
  }
  const entries: ResourceEntry[] = [];
  for (const [resource, resourceValue] of Object.entries(decoded)) {
    const resourcePath = [...path, resource];
    if (!RESOURCE_NAME_PATTERN.test(resource)) {
      collector.error(
        resourcePath,
        'is not a valid resource name: use letters, digits, "_", "-" and "." (at most 100)',
      );
      continue;
    }
    if (!isPlainObject(resourceValue)) {
      collector.error(
        resourcePath,
        `must be a JSON object (use {} for the element's default), got ${describeValue(resourceValue)}`,
      );
      continue;
    }
    const parsed = parseResourceObject(resourceValue);
    const report = (issues: readonly RelativeIssue[]): ConfigIssue[] =>
      issues.map((issue) => ({ path: formatPath([...resourcePath, ...issue.path]), message: issue.message }));
    collector.addErrors(report(parsed.issues));
    if (parsed.partial === undefined || parsed.issues.length > 0) continue;
    entries.push({
      resource,
      partial: parsed.partial,
      empty: Object.keys(resourceValue).length === 0,
      report,
    });
  }
  return entries;
}

/** The legacy pipe form's fields, in order; only `resource` and `url` are required per line. */
export const LEGACY_URL_FIELDS = [
  'resource',
  'url',
  'xpath',
  'updatedField',
  'updatedFormat',
  'updatedTz',
  'createdField',
  'createdFormat',
  'createdTz',
] as const;

/** Where each legacy field lands in the JSON shape, to name the legacy field in messages. */
const legacyFieldByJsonPath: Record<string, string> = {
  url: 'url',
  idField: 'xpath',
  'datesConfiguration.updatedDateField': 'updatedField',
  'datesConfiguration.updatedDateFormat': 'updatedFormat',
  'datesConfiguration.updatedDateTimezone': 'updatedTz',
  'datesConfiguration.createdDateField': 'createdField',
  'datesConfiguration.createdDateFormat': 'createdFormat',
  'datesConfiguration.createdDateTimezone': 'createdTz',
};

/**
 * Lines are separated by newlines; a `,` also separates lines, but only where it is followed by what
 * starts a line (`name|/`), because URLs themselves contain commas (`fields=a,b`, `IN ('a','b')`).
 */
const LEGACY_LINE_SEPARATOR = /\r?\n|,(?=\s*[A-Za-z0-9][A-Za-z0-9_.-]*\s*\|\s*\/)/;

/**
 * `event.poller.urls`: `resource|url|xpath|updatedField|updatedFormat|updatedTz|createdField|createdFormat|createdTz`
 * per line. `xpath` is the record id's path (`idField`). Issues point at the key and name the line
 * and field, since a string has no deeper JSON path.
 */
export function parseLegacyPollerUrls(
  value: unknown,
  path: readonly PathSegment[],
  collector: IssueCollector,
): ResourceEntry[] | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value !== 'string') {
    collector.error(path, `must be a string of "resource|url|xpath|…" lines, got ${describeValue(value)}`);
    return undefined;
  }
  const entries: ResourceEntry[] = [];
  value.split(LEGACY_LINE_SEPARATOR).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '') return;
    const lineLabel = `line ${index + 1}`;
    const fields = line.split('|').map((field) => field.trim());
    if (fields.length > LEGACY_URL_FIELDS.length) {
      collector.error(
        path,
        `${lineLabel} has ${fields.length} "|"-separated fields, at most ${LEGACY_URL_FIELDS.length} are allowed (${LEGACY_URL_FIELDS.join('|')}); use event.poller.configuration for URLs containing "|"`,
      );
      return;
    }
    const [resource = '', url = '', xpath = '', ...dateFields] = fields;
    if (!RESOURCE_NAME_PATTERN.test(resource) || url === '') {
      collector.error(
        path,
        `${lineLabel} must start with "resource|url" (resource: letters, digits, "_", "-", "."), got ${JSON.stringify(line)}`,
      );
      return;
    }
    const dates = Object.fromEntries(
      [
        'updatedDateField',
        'updatedDateFormat',
        'updatedDateTimezone',
        'createdDateField',
        'createdDateFormat',
        'createdDateTimezone',
      ]
        .map((key, position) => [key, dateFields[position] ?? ''] as const)
        .filter(([, text]) => text !== ''),
    );
    const jsonShape: Record<string, unknown> = { url };
    if (xpath !== '') jsonShape.idField = xpath;
    if (Object.keys(dates).length > 0) jsonShape.datesConfiguration = dates;
    const report = (issues: readonly RelativeIssue[]): ConfigIssue[] =>
      issues.map((issue) => {
        const jsonPath = issue.path.join('.');
        const field = legacyFieldByJsonPath[jsonPath] ?? jsonPath;
        return {
          path: formatPath(path),
          message: `${lineLabel} ("${resource}"), ${field}: ${issue.message}`,
        };
      });
    const parsed = parseResourceObject(jsonShape);
    collector.addErrors(report(parsed.issues));
    if (parsed.partial === undefined || parsed.issues.length > 0) return;
    entries.push({ resource, partial: parsed.partial, empty: false, report });
  });
  return entries;
}

/**
 * Completes each named resource over the element's default for it. With no resource named anywhere,
 * the element's default resources are used: Open Connectors' UI enables events with the element's
 * defaults, and the seed's `{}` entries mean the same per resource.
 */
export function resolveResources(
  named: ResourceEntry[] | undefined,
  element: ElementDescriptor,
  defaultsPath: readonly PathSegment[],
  collector: IssueCollector,
): ResourcePollerConfig[] {
  const entries = named ?? elementDefaultEntries(element, defaultsPath);
  const resolved: ResourcePollerConfig[] = [];
  for (const entry of entries) {
    const elementDefault = Object.hasOwn(element.resources, entry.resource)
      ? element.resources[entry.resource]
      : undefined;
    let defaultPartial: PartialResourceConfig | undefined;
    if (elementDefault !== undefined) {
      const parsed = parseResourceObject(elementDefault.defaultPollerConfig);
      if (parsed.issues.length > 0 || parsed.partial === undefined) {
        collector.addErrors(
          entry.report([
            {
              path: [],
              message: `element "${element.key}" has an invalid default configuration for "${entry.resource}": ${parsed.issues
                .map((issue) => `${issue.path.join('.')} ${issue.message}`)
                .join('; ')}`,
            },
          ]),
        );
        continue;
      }
      defaultPartial = parsed.partial;
    } else if (entry.empty) {
      const known = Object.keys(element.resources);
      collector.addErrors(
        entry.report([
          {
            path: [],
            message: `{} means the element's default, but element "${element.key}" has no default for "${entry.resource}"${
              known.length > 0 ? `; resources with defaults: ${known.join(', ')}` : ''
            }. Give url, idField and datesConfiguration`,
          },
        ]),
      );
      continue;
    }
    const issues: RelativeIssue[] = [];
    const completed = completeResourceConfig(
      entry.resource,
      mergeResourceConfig(defaultPartial, entry.partial),
      issues,
    );
    collector.addErrors(entry.report(issues));
    if (completed !== undefined) resolved.push(completed);
  }
  return resolved.sort((left, right) =>
    left.resource < right.resource ? -1 : left.resource > right.resource ? 1 : 0,
  );
}

function elementDefaultEntries(
  element: ElementDescriptor,
  defaultsPath: readonly PathSegment[],
): ResourceEntry[] {
  return Object.keys(element.resources).map((resource) => ({
    resource,
    partial: {},
    empty: true,
    report: (issues) =>
      issues.map((issue) => ({
        path: formatPath([...defaultsPath, resource, ...issue.path]),
        message: issue.message,
      })),
  }));
}
