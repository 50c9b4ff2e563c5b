import { z } from 'zod';
import { parseConfiguration } from './configuration';
import { describeValue, IssueCollector, isPlainObject, relativeZodIssues, rootIssues } from './issues';
import { isSecretConfigKey, SECRET_MASK } from './mask';
import { flagSchema, requiredStringSchema, textSchema } from './scalars';
import type {
  CanonicalInstanceConfig,
  ConfigIssue,
  ParseInstanceBodyOptions,
  ParseInstanceBodyResult,
} from './types';

export const MAX_NAME_LENGTH = 255;
export const MAX_TAGS = 100;
export const MAX_TAG_LENGTH = 255;

/**
 * The body of `POST /instances`, `PUT` and `PATCH /instances/{id}`, structurally. Unknown top-level keys
 * pass (reported as warnings): clients commonly send back what `GET /instances/{id}` returned.
 */
export const instanceBodySchema = z.looseObject({
  element: z.looseObject({ key: requiredStringSchema }).nullish(),
  providerData: z.looseObject({ code: textSchema }).nullish(),
  configuration: z.record(z.string(), z.unknown()).nullish(),
  tags: z.array(z.string()).nullish(),
  name: z.string().nullish(),
  disabled: flagSchema,
});

export type InstanceBody = z.output<typeof instanceBodySchema>;

/** Fields of Open Connectors' instance (request or response) that Pollcast accepts and ignores. */
const IGNORED_QUIETLY = new Set([
  'id',
  'token',
  'createdDate',
  'updatedDate',
  'eventsEnabled',
  'valid',
  'user',
  'description',
  'externalAuthentication',
  'cachingEnabled',
  'cacheTimeToLive',
  'maxCacheSize',
  'traceLoggingEnabled',
]);

/**
 * The single entry point: validates an instance body and returns the canonical configuration, or
 * every error found. Never throws for any input.
 *
 * - `create`: `element.key` is required.
 * - `replace` (PUT): `configuration` replaces the stored one as a whole; `name`, `tags`, `disabled` keep
 *   their stored values when omitted; the element cannot change.
 * - `patch`: configuration keys are merged over the stored ones (`null` removes a key); other fields
 *   replace the stored ones when given.
 * In `replace` and `patch`, a secret key sent as `********` (as echoed by the API) keeps its stored value.
 */
export function parseInstanceBody(body: unknown, options: ParseInstanceBodyOptions): ParseInstanceBodyResult {
  try {
    return parseUnsafely(body, options);
  } catch (error: unknown) {
    // A bug here must not become a 500 with a stack; it is still reported, distinctly.
    return {
      ok: false,
      errors: [
        {
          path: '',
          message: `internal error while validating: ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
    };
  }
}

function parseUnsafely(body: unknown, options: ParseInstanceBodyOptions): ParseInstanceBodyResult {
  const collector = new IssueCollector();
  const { mode, current } = options;
  if (mode !== 'create' && current === undefined) {
    return {
      ok: false,
      errors: [{ path: '', message: `mode "${mode}" needs the current instance configuration` }],
    };
  }
  if (!isPlainObject(body)) {
    return {
      ok: false,
      errors: [{ path: '', message: `the body must be a JSON object, got ${describeValue(body)}` }],
    };
  }
  const parsed = instanceBodySchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: rootIssues(relativeZodIssues(parsed.error.issues), []) };
  const input = parsed.data;

  for (const key of Object.keys(body)) {
    if (!(key in instanceBodySchema.shape) && !IGNORED_QUIETLY.has(key)) {
      collector.warn([key], 'is not an instance field and was ignored');
    }
  }

  const elementKey = resolveElementKey(input.element?.key ?? undefined, options, collector);
  const element = elementKey === undefined ? undefined : options.resolveElement(elementKey);
  if (elementKey !== undefined && element === undefined) {
    collector.error(['element', 'key'], `unknown element "${elementKey}"`);
  }

  const name = resolveName(input.name ?? undefined, elementKey, options, collector);
  const tags =
    input.tags == null ? (mode === 'create' ? [] : (current?.tags ?? [])) : cleanTags(input.tags, collector);
  const disabled = input.disabled ?? (mode === 'create' ? false : (current?.disabled ?? false));
  const original = mergeConfiguration(input.configuration ?? undefined, options, collector);

  if (element === undefined || collector.hasErrors) return { ok: false, errors: collector.errors };
  const configuration = parseConfiguration(original, element, collector);
  if (configuration === undefined || collector.hasErrors) return { ok: false, errors: collector.errors };

  const value: CanonicalInstanceConfig = {
    elementKey: element.key,
    name,
    tags,
    disabled,
    oauth: configuration.oauth,
    events: configuration.events,
    elementConfig: configuration.elementConfig,
    original,
  };
  const providerCode = input.providerData?.code;
  if (providerCode !== undefined) value.providerCode = providerCode;
  return { ok: true, value, warnings: collector.warnings };
}

function resolveElementKey(
  given: string | undefined,
  { mode, current }: ParseInstanceBodyOptions,
  collector: IssueCollector,
): string | undefined {
  if (mode === 'create') {
    if (given === undefined)
      collector.error(['element', 'key'], 'is required: the element to connect, e.g. "maximizer"');
    return given;
  }
  if (given !== undefined && given !== current?.elementKey) {
    collector.error(
      ['element', 'key'],
      `cannot change from "${current?.elementKey ?? ''}" to "${given}"; create a new instance`,
    );
  }
  return current?.elementKey;
}

function resolveName(
  given: string | undefined,
  elementKey: string | undefined,
  { mode, current }: ParseInstanceBodyOptions,
  collector: IssueCollector,
): string {
  const trimmed = given?.trim() ?? '';
  if (trimmed.length > MAX_NAME_LENGTH)
    collector.error(['name'], `must be at most ${MAX_NAME_LENGTH} characters`);
  if (trimmed !== '') return trimmed;
  if (mode !== 'create' && current !== undefined) return current.name;
  // Open Connectors' own examples send `"name": ""`; the element key is a name a person recognises.
  const fallback = elementKey ?? '';
  collector.warn(['name'], `is empty; the instance is named "${fallback}"`);
  return fallback;
}

function cleanTags(tags: readonly string[], collector: IssueCollector): string[] {
  const cleaned: string[] = [];
  tags.forEach((tag, index) => {
    const trimmed = tag.trim();
    if (trimmed === '') {
      collector.warn(['tags', index], 'is empty and was dropped');
    } else if (trimmed.length > MAX_TAG_LENGTH) {
      collector.error(['tags', index], `must be at most ${MAX_TAG_LENGTH} characters`);
    } else if (!cleaned.includes(trimmed)) {
      cleaned.push(trimmed);
    }
  });
  // Counted as sent (the OpenAPI's maxItems), not after empty and repeated tags are dropped.
  if (tags.length > MAX_TAGS)
    collector.error(['tags'], `at most ${MAX_TAGS} tags are allowed, got ${tags.length}`);
  return cleaned;
}

/**
 * The configuration the instance will store. Built with `Object.fromEntries` / `Map`, never by
 * assignment, so a `__proto__` key stays an ordinary key.
 */
function mergeConfiguration(
  given: Record<string, unknown> | undefined,
  { mode, current }: ParseInstanceBodyOptions,
  collector: IssueCollector,
): Record<string, unknown> {
  const stored = new Map(Object.entries(current?.original ?? {}));
  // PUT without a configuration (a rename, say) keeps it; PUT with one replaces it whole.
  const merged = new Map(mode === 'patch' || (mode === 'replace' && given === undefined) ? stored : []);
  for (const [key, value] of Object.entries(given ?? {})) {
    if (mode === 'patch' && value === null) {
      merged.delete(key);
    } else if (mode !== 'create' && value === SECRET_MASK && isSecretConfigKey(key)) {
      if (stored.has(key)) merged.set(key, stored.get(key));
      else
        collector.error(
          ['configuration', key],
          `is "${SECRET_MASK}" (a masked value) but no value is stored to keep`,
        );
    } else {
      merged.set(key, value);
    }
  }
  return Object.fromEntries(merged);
}

export type { ConfigIssue };
