import { objectIdOf, readDottedPath } from './record-fields';

describe('record fields', () => {
  it('reads dotted paths, literal dotted keys, and misses as undefined', () => {
    const record = { Key: 'abc', data: { id: 42, inner: { name: 'x' } }, 'a.b': 'literal' };
    expect(readDottedPath(record, 'Key')).toBe('abc');
    expect(readDottedPath(record, 'data.inner.name')).toBe('x');
    expect(readDottedPath(record, 'a.b')).toBe('literal');
    expect(readDottedPath(record, 'data.missing.x')).toBeUndefined();
    expect(readDottedPath(record, 'Key.length')).toBeUndefined();
  });

  it('turns string and number ids into strings and refuses anything else', () => {
    expect(objectIdOf({ id: 7 }, 'id')).toBe('7');
    expect(objectIdOf({ id: 'k' }, 'id')).toBe('k');
    expect(objectIdOf({ id: '' }, 'id')).toBeUndefined();
    expect(objectIdOf({ id: null }, 'id')).toBeUndefined();
    expect(objectIdOf({ id: { nested: 1 } }, 'id')).toBeUndefined();
  });
});
