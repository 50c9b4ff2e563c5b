import { hash } from 'node:crypto';

/**
 * Canonical JSON of a parsed JSON value: object keys sorted by UTF-16 code units at every depth, no
 * whitespace, array order kept, `undefined` members dropped (as JSON.stringify does). Two records that
 * differ only in key order or formatting have the same text, so their content hash is the same.
 * Built by appending to one string (no per-level arrays of entries): every change passes here.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // Primitives serialize as JSON.stringify does; `undefined` only occurs inside objects (skipped there).
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    let text = '[';
    for (let index = 0; index < items.length; index += 1) {
      const item = items[index];
      if (index > 0) text += ',';
      text += item === undefined ? 'null' : canonicalJson(item);
    }
    return `${text}]`;
  }
  const object = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, the order canonical JSON uses.
  const keys = Object.keys(object).sort();
  let text = '{';
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${text}}`;
}

/** SHA-256 (lower-case hex) of the record's canonical JSON. One-shot `crypto.hash`: no Hash object per
 * record. */
export function contentHash(record: Readonly<Record<string, unknown>>): string {
  return hash('sha256', canonicalJson(record), 'hex');
}
