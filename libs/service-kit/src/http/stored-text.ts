import type { ErrorItem } from './errors';

// U+0000, or a UTF-16 surrogate without its partner: valid in JSON and in JavaScript strings, but
// PostgreSQL stores neither in `text` nor in `jsonb`.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or undefined when it can. */
export function unstorableTextReason(text: string): string | undefined {
  const found = UNSTORABLE.exec(text)?.[0];
  if (found === undefined) return undefined;
  return found === '\u0000'
    ? 'must not contain U+0000 (NUL)'
    : 'must not contain a lone UTF-16 surrogate (invalid Unicode)';
}

/** At most this many problems are listed: a hostile body can hold millions of strings. */
const MAX_REPORTED = 20;
/** Deeper than any body this platform takes; protects the walk from a pathological nesting. */
const MAX_DEPTH = 64;

/**
 * Every string (value or object key) under `value` that PostgreSQL cannot store, named by its path:
 * `prefix.key.0.key`, the notation of every other validation error. A bad object key is reported at
 * its parent's path.
 */
export function findUnstorableText(value: unknown, prefix: string): ErrorItem[] {
  const problems: ErrorItem[] = [];
  const walk = (node: unknown, path: string, depth: number): void => {
    if (problems.length >= MAX_REPORTED) return;
    if (typeof node === 'string') {
      const reason = unstorableTextReason(node);
      if (reason !== undefined) problems.push({ path, message: reason });
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if (depth >= MAX_DEPTH) {
      problems.push({ path, message: `is nested deeper than ${MAX_DEPTH} levels` });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, join(path, String(index)), depth + 1));
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      const reason = unstorableTextReason(key);
      if (reason !== undefined) {
        problems.push({ path: path || '(root)', message: `a key ${reason}` });
        continue;
      }
      walk(child, join(path, key), depth + 1);
    }
  };
  walk(value, prefix, 0);
  return problems;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
