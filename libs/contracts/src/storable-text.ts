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
const HAS_UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string holds U+0000 or a lone surrogate. */
export function hasUnstorableText(value: string): boolean {
  return HAS_UNSTORABLE.test(value);
}

/** The string with U+0000 and lone surrogates replaced by U+FFFD (each by one). */
export function toStorableString(value: string): string {
  return HAS_UNSTORABLE.test(value) ? value.replace(UNSTORABLE, REPLACEMENT_CHARACTER) : value;
}

/**
 * A JSON value with every string — object keys included — made storable. Returns the same value
 * (not a copy) when nothing needed replacing, and counts the strings that changed.
 */
export function toStorableJson<T>(value: T): { value: T; replaced: number } {
  let replaced = 0;
  const walk = (current: unknown, depth: number): unknown => {
    if (typeof current === 'string') {
      if (!HAS_UNSTORABLE.test(current)) return current;
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
    for (const [key, item] of entries) if (!Object.hasOwn(copy, key)) copy[key] = item;
    return copy;
  };
  return { value: walk(value, 0) as T, replaced };
}

/**
 * Where the first string PostgreSQL cannot store is, as a path (`record.Notes`, `tags[2]`, `(key)`
 * for an object key) — never the text itself; undefined when there is none.
 */
export function findUnstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return HAS_UNSTORABLE.test(value) ? path || '(value)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    for (let index = 0; index < items.length; index += 1) {
      const found = findUnstorableText(items[index], `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.` : '';
    if (HAS_UNSTORABLE.test(key)) return `${at}(key)`;
    const found = findUnstorableText(item, `${at}${key}`);
    if (found) return found;
  }
  return undefined;
}
