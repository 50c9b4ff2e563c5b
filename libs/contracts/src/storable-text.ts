/**
 * Text PostgreSQL cannot store: U+0000 (refused by `text`, and by `jsonb` even as the `\u0000` escape)
 * and lone UTF-16 surrogates (not Unicode scalar values: `jsonb` refuses the escape, UTF-8 has no
 * encoding for them). Both are valid in JSON and reach us from CRM fields.
 *
 * Pollcast's decision (docs/events.md, "Text in records"): such characters are replaced by U+FFFD
 * REPLACEMENT CHARACTER where records enter (the poller, before publishing raw changes), so the record
 * still reaches its callback and the events topic, and every consumer — ours and anyone reading the
 * events topic — can store it in PostgreSQL.
 */
export const REPLACEMENT_CHARACTER = '\uFFFD';

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Whether a string holds U+0000 or a lone surrogate. Every string of every record passes here, so it
 * uses the engine's own scans (`isWellFormed` = no lone surrogate) rather than the lookaround regex,
 * which is several times slower (BENCHMARKS.md, normalizer levers). */
export function hasUnstorableText(value: string): boolean {
  return value.includes('\u0000') || !value.isWellFormed();
}

/** The string with U+0000 and lone surrogates replaced by U+FFFD (each by one). */
export function toStorableString(value: string): string {
  return hasUnstorableText(value) ? value.replace(UNSTORABLE, REPLACEMENT_CHARACTER) : value;
}

/**
 * A JSON value with every string — object keys included — made storable. Returns the same value
 * (not a copy) when nothing needed replacing, and counts the strings that changed.
 */
export function toStorableJson<T>(value: T): { value: T; replaced: number } {
  let replaced = 0;
  const walk = (current: unknown, depth: number): unknown => {
    if (typeof current === 'string') {
      if (!hasUnstorableText(current)) return current;
      replaced += 1;
      return current.replace(UNSTORABLE, REPLACEMENT_CHARACTER);
    }
    if (typeof current !== 'object' || current === null || depth > 200) return current;
    if (Array.isArray(current)) {
      const items: readonly unknown[] = current;
      const next = items.map((item) => walk(item, depth + 1));
      return next.some((item, index) => item !== items[index]) ? next : current;
    }
    let changed = false;
    const entries = Object.entries(current as Record<string, unknown>).map(([key, item]) => {
      const nextKey = walk(key, depth + 1) as string;
      const next = walk(item, depth + 1);
      if (next !== item || nextKey !== key) changed = true;
      return [nextKey, next] as const;
    });
    if (!changed) return current;
    // Original key order; a key that collides with another after replacement keeps the first value.
    const copy: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      // Defined, not assigned: a member named `__proto__` stays a member.
      if (!Object.hasOwn(copy, key))
        Object.defineProperty(copy, key, {
          value: item,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return copy;
  };
  return { value: walk(value, 0) as T, replaced };
}

/** Whether any string of a JSON value — object keys included — is one PostgreSQL cannot store. No path
 * strings are built on the way: every record of every change passes here, and almost none hold any. */
function holdsUnstorableText(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return hasUnstorableText(value);
  if (typeof value !== 'object' || value === null || depth > 200) return false;
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    for (const item of items) if (holdsUnstorableText(item, depth + 1)) return true;
    return false;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    if (hasUnstorableText(key) || holdsUnstorableText(object[key], depth + 1)) return true;
  }
  return false;
}

/**
 * Where the first string PostgreSQL cannot store is, as a path (`record.Notes`, `tags[2]`, `(key)`
 * for an object key) — never the text itself; undefined when there is none.
 */
export function findUnstorableText(value: unknown, path = ''): string | undefined {
  return holdsUnstorableText(value, 0) ? pathOfUnstorableText(value, path) : undefined;
}

function pathOfUnstorableText(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return hasUnstorableText(value) ? path || '(value)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    for (let index = 0; index < items.length; index += 1) {
      const found = pathOfUnstorableText(items[index], `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.` : '';
    if (hasUnstorableText(key)) return `${at}(key)`;
    const found = pathOfUnstorableText(item, `${at}${key}`);
    if (found) return found;
  }
  return undefined;
}
