import { findUnstorableText, hasUnstorableText, toStorableJson, toStorableString } from './storable-text';

describe('text PostgreSQL can store', () => {
  it('replaces U+0000 and lone surrogates by U+FFFD, and keeps surrogate pairs', () => {
    expect(toStorableString('a\u0000b')).toBe('a\uFFFDb');
    expect(toStorableString('x\uD800y')).toBe('x\uFFFDy');
    expect(toStorableString('x\uDC00')).toBe('x\uFFFD');
    expect(toStorableString('\uDC00\uD800')).toBe('\uFFFD\uFFFD'); // reversed pair: both lone
    expect(toStorableString('emoji 😀 ok')).toBe('emoji 😀 ok');
    expect(hasUnstorableText('emoji 😀')).toBe(false);
    expect(hasUnstorableText('\u0000')).toBe(true);
  });

  it('walks a JSON value, keys included, and returns the same value when nothing changed', () => {
    const clean = { a: [1, 'two', { three: null }], b: true };
    expect(toStorableJson(clean)).toEqual({ value: clean, replaced: 0 });
    expect(toStorableJson(clean).value).toBe(clean);

    const dirty = { Key: 'K1', Notes: 'a\u0000b', nested: { list: ['ok', '\uD83D'] }, 'k\u0000': 1 };
    const { value, replaced } = toStorableJson(dirty);
    expect(value).toEqual({ Key: 'K1', Notes: 'a\uFFFDb', nested: { list: ['ok', '\uFFFD'] }, 'k\uFFFD': 1 });
    expect(replaced).toBe(3);
    expect(dirty.Notes).toBe('a\u0000b'); // the input is not modified
    // Every string is well-formed and NUL-free after the walk.
    expect(JSON.stringify(value)).not.toMatch(/\\u0000|\\ud8|\\udc/i);
  });

  it('keeps a member named __proto__ as a member when it copies an object', () => {
    const dirty: unknown = JSON.parse('{"__proto__":{"a":"x\\u0000"},"b":"y\\u0000"}');
    const { value, replaced } = toStorableJson(dirty);
    expect(replaced).toBe(2);
    expect(JSON.stringify(value)).toBe('{"__proto__":{"a":"x\uFFFD"},"b":"y\uFFFD"}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('says where the first unstorable string is, never what it holds', () => {
    expect(findUnstorableText({ a: 'ok', record: { list: ['x', 'secret\u0000'] } })).toBe('record.list[1]');
    expect(findUnstorableText({ 'k\uD800': 1 })).toBe('(key)');
    expect(findUnstorableText('\uDC00')).toBe('(value)');
    expect(findUnstorableText({ a: ['ok', { b: 'fine 😀' }] })).toBeUndefined();
  });
});
