import { providerRecordSchema, rawChangeSchema } from './messages';

const rawChange = (record: unknown) => ({
  instanceId: '12',
  organizationId: 'org-1',
  elementKey: 'maximizer',
  resource: 'contacts',
  objectId: 'abc',
  record,
  pollId: 'poll-1',
  window: { from: '2026-12-01T00:00:00Z' },
  polledAt: '2026-12-01T00:01:00.123Z',
  page: 0,
  createdCheckTolerance: 0,
  filterByUpdatedDate: true,
});

describe('providerRecordSchema', () => {
  it('passes a record through as it was parsed, every member kept — `__proto__` too', () => {
    const record: unknown = JSON.parse('{"__proto__":{"polluted":true},"Name":"Ada","Nested":{"a":[1,2]}}');
    const parsed = rawChangeSchema.parse(rawChange(record));
    expect(parsed.record).toBe(record);
    expect(Object.keys(parsed.record)).toEqual(['__proto__', 'Name', 'Nested']);
    expect(JSON.stringify(parsed.record)).toBe(
      '{"__proto__":{"polluted":true},"Name":"Ada","Nested":{"a":[1,2]}}',
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([null, [], [{ a: 1 }], 'text', 42, true, undefined])('refuses %j, naming the field', (record) => {
    const result = rawChangeSchema.safeParse(rawChange(record));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['record']);
  });

  it('accepts any object, empty included', () => {
    expect(providerRecordSchema.safeParse({}).success).toBe(true);
  });
});
