import { createHash } from 'node:crypto';

/**
 * Canonical JSON of a parsed JSON value: object keys sorted by UTF-16 code units at every depth, no
 * whitespace, array order kept, `undefined` members dropped (as JSON.stringify does). Two records that
 * differ only in key order or formatting have the same text, so their content hash is the same.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // Primitives serialize as JSON.stringify does; `undefined` only occurs inside objects (skipped there).
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/** SHA-256 (lower-case hex) of the record's canonical JSON. */
export function contentHash(record: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(canonicalJson(record), 'utf8').digest('hex');
}
