import { instantProblem, instantSchema, pageSizeSchema } from './query-schemas';

describe('pageSizeSchema: one rule on every API', () => {
  const schema = pageSizeSchema(200, 50);
  it('takes a decimal integer from 1 to max, defaults when absent', () => {
    expect(schema.parse(undefined)).toBe(50);
    expect(schema.parse('1')).toBe(1);
    expect(schema.parse('200')).toBe(200);
  });
  it.each(['abc', '1.5', '0', '-1', '1e3', '201', '', ' 5', '99999999999999999999'])(
    'refuses %j',
    (value) => {
      const result = schema.safeParse(value);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('must be an integer from 1 to 200');
    },
  );
  it('refuses a repeated parameter', () => {
    expect(schema.safeParse(['1', '2']).success).toBe(false);
  });
});

describe('instantSchema: what PostgreSQL timestamptz and Date both hold', () => {
  it('accepts RFC 3339 with Z or an offset within ±14:00 and normalizes to UTC', () => {
    expect(instantSchema.parse('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00.000Z');
    expect(instantSchema.parse('2026-01-01T01:30:00+01:30')).toBe('2026-01-01T00:00:00.000Z');
    expect(instantSchema.parse('2026-01-01t00:00:00.123456z')).toBe('2026-01-01T00:00:00.123Z');
    expect(instantSchema.parse('2024-02-29T23:59:59-14:00')).toBe('2024-03-01T13:59:59.000Z');
    expect(instantSchema.parse('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00.000Z');
  });
  it.each([
    ['2026-01-01T00:00:00+21:21', /offset/],
    ['2026-01-01T00:00:00-15:00', /offset/],
    ['2026-01-01T00:00:00+01:60', /offset/],
    ['2026-02-30T00:00:00Z', /not a valid date/],
    ['2025-02-29T00:00:00Z', /not a valid date/],
    ['2026-01-01T24:00:00Z', /not a valid date/],
    ['0000-01-01T00:00:00Z', /between 0001/],
    ['0001-01-01T00:00:00+01:00', /between 0001/],
    ['2026-01-01T00:00:00', /RFC 3339/],
    ['2026-01-01', /RFC 3339/],
    ['yesterday', /RFC 3339/],
  ])('refuses %s', (value, message) => {
    expect(instantProblem(value)).toMatch(message);
    expect(instantSchema.safeParse(value).success).toBe(false);
  });
});
