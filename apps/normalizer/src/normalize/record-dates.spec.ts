import { readRecordDate, valueAtPath } from './record-dates';

describe('valueAtPath', () => {
  it('prefers the exact key, then walks a dotted path', () => {
    expect(valueAtPath({ 'a.b': 1, a: { b: 2 } }, 'a.b')).toBe(1);
    expect(valueAtPath({ a: { b: { c: 'x' } } }, 'a.b.c')).toBe('x');
    expect(valueAtPath({ a: 'text' }, 'a.b')).toBeUndefined();
    expect(valueAtPath({ a: null }, 'a.b')).toBeUndefined();
  });
});

describe('readRecordDate', () => {
  it('parses a pattern in the configured zone when the text has no offset', () => {
    const date = readRecordDate(
      { Modified: '2024-07-04 10:00:00' },
      { field: 'Modified', format: 'yyyy-MM-dd HH:mm:ss', zone: 'America/Toronto' },
    );
    expect(date).toEqual({ ok: true, epochMs: Date.parse('2024-07-04T14:00:00Z') });
  });

  it('reads epoch milliseconds at a nested path', () => {
    expect(
      readRecordDate(
        { meta: { at: 1705337640000 } },
        { field: 'meta.at', format: 'milliseconds', zone: 'GMT' },
      ),
    ).toEqual({ ok: true, epochMs: 1705337640000 });
  });

  it('reports a missing or unparseable value with the field name instead of throwing', () => {
    const missing = readRecordDate({}, { field: 'Modified', format: 'yyyy', zone: 'GMT' });
    expect(missing).toMatchObject({ ok: false, error: expect.stringMatching(/^Modified: .*no date/) });
    const garbled = readRecordDate(
      { Modified: 'yesterday' },
      { field: 'Modified', format: "yyyy-MM-dd'T'HH:mm:ssXXX", zone: 'GMT' },
    );
    expect(garbled).toMatchObject({ ok: false, error: expect.stringContaining('yesterday') });
    const badZone = readRecordDate(
      { Modified: '2024' },
      { field: 'Modified', format: 'yyyy', zone: 'Mars/Olympus' },
    );
    expect(badZone.ok).toBe(false);
  });

  it('refuses instants an RFC 3339 date cannot carry', () => {
    expect(readRecordDate({ at: 1e15 }, { field: 'at', format: 'milliseconds', zone: 'GMT' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('outside years'),
    });
  });
});
