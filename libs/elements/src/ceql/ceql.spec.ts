import {
  CeqlSyntaxError,
  parseCeqlFields,
  parseCeqlOrderBy,
  parseCeqlWhere,
  type CeqlExpression,
} from './ceql';

function expressionOf(where: string): CeqlExpression | undefined {
  return parseCeqlWhere(where).expression;
}

function syntaxError(where: string): CeqlSyntaxError {
  try {
    parseCeqlWhere(where);
  } catch (error) {
    if (error instanceof CeqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${where} to be rejected`);
}

describe('parseCeqlWhere', () => {
  it.each([
    ['=', '='],
    ['!=', '!='],
    ['<>', '!='],
    ['<', '<'],
    ['>', '>'],
    ['<=', '<='],
    ['>=', '>='],
  ])('parses the %s comparison', (written, operator) => {
    expect(expressionOf(`Revenue ${written} 10`)).toEqual({
      type: 'comparison',
      field: 'Revenue',
      operator,
      value: 10,
      position: 0,
    });
  });

  it('parses the seed condition with its rendered date', () => {
    expect(expressionOf("LastModifyDate>'2019-01-15T11:54:00-05:00'")).toEqual({
      type: 'comparison',
      field: 'LastModifyDate',
      operator: '>',
      value: '2019-01-15T11:54:00-05:00',
      position: 0,
    });
  });

  it('keeps + inside literals (ISO offsets) and treats a bare + as a blank', () => {
    expect(expressionOf("LastModifyDate+>+'2019-01-15T11:54:00+05:00'")).toMatchObject({
      value: '2019-01-15T11:54:00+05:00',
    });
  });

  it("unescapes '' inside literals", () => {
    expect(expressionOf("LastName = 'O''Brien'")).toMatchObject({ value: "O'Brien" });
  });

  it('parses numbers, negative numbers and booleans', () => {
    expect(expressionOf('Revenue >= -12.5e3')).toMatchObject({ value: -12500 });
    expect(expressionOf('Active = true')).toMatchObject({ value: true });
    expect(expressionOf('Active = FALSE')).toMatchObject({ value: false });
  });

  it('parses LIKE, IN, IS NULL and IS NOT NULL case-insensitively', () => {
    expect(expressionOf("Email like '%@example.com'")).toMatchObject({
      operator: 'LIKE',
      value: '%@example.com',
    });
    expect(expressionOf("Status IN ('Open', 'Won')")).toEqual({
      type: 'in',
      field: 'Status',
      values: ['Open', 'Won'],
      position: 0,
    });
    expect(expressionOf('Phone is null')).toEqual({
      type: 'null-check',
      field: 'Phone',
      negated: false,
      position: 0,
    });
    expect(expressionOf('Phone IS NOT NULL')).toMatchObject({ type: 'null-check', negated: true });
  });

  it('gives AND precedence over OR and honours parentheses', () => {
    expect(expressionOf('a = 1 OR b = 2 AND c = 3')).toMatchObject({
      type: 'or',
      operands: [{ field: 'a' }, { type: 'and', operands: [{ field: 'b' }, { field: 'c' }] }],
    });
    expect(expressionOf('(a = 1 OR b = 2) AND c = 3')).toMatchObject({
      type: 'and',
      operands: [{ type: 'or', operands: [{ field: 'a' }, { field: 'b' }] }, { field: 'c' }],
    });
  });

  it('treats an empty where as no filter', () => {
    expect(parseCeqlWhere('   ')).toEqual({ expression: undefined, warnings: [] });
  });

  it("tolerates the seed's trailing space silently", () => {
    expect(parseCeqlWhere("LastModifyDate>'2019-01-15T11:54:00-05:00' ").warnings).toEqual([]);
  });

  it("tolerates the seed's stray trailing double quote, with a warning", () => {
    const parsed = parseCeqlWhere(`LastModifyDate>'2019-01-15T11:54:00-05:00'"`);
    expect(parsed.expression).toMatchObject({ value: '2019-01-15T11:54:00-05:00' });
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toMatch(/Ignored trailing "\\"" .*position 42/);
  });

  it.each([
    ["LastModifyDate>'2019' x", 22, /Unexpected 'x'/],
    ["LastModifyDate>'2019' AND", 25, /ended/],
    ["LastModifyDate>'2019')", 21, /Unbalanced '\)'/],
    ['(a = 1', 6, /Missing '\)'/],
    ["a = 'open", 4, /Unterminated string/],
    ['a = "x"', 4, /Double-quoted/],
    ['a == 1', 2, /Unsupported operator '=='/],
    ['a BETWEEN 1', 2, /Unsupported operator 'BETWEEN'/],
    ["a NOT LIKE 'x'", 2, /Unsupported operator NOT LIKE/],
    ['NOT a = 1', 0, /Unsupported operator NOT/],
    ['a = ', 4, /Expected a value/],
    ['a = b', 4, /field name 'b'/],
    ['a = NULL', 4, /IS NULL/],
    ['a IN 1', 5, /parenthesised list/],
    ["a IN ('x' 'y')", 10, /Expected ',' or '\)'/],
    ['a LIKE 5', 7, /single-quoted pattern/],
    ['a IS 5', 5, /Expected NULL/],
    ["a = 1 ' ", 6, /Unterminated/],
    ['a = 1 "b"', 6, /Unexpected/],
  ])('rejects %j at position %i', (where, position, message) => {
    const error = syntaxError(where);
    expect(error.position).toBe(position);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`at position ${position}`);
  });
});

describe('parseCeqlOrderBy / parseCeqlFields', () => {
  it('parses fields with optional directions', () => {
    expect(parseCeqlOrderBy('LastModifyDate desc, Key')).toEqual([
      { field: 'LastModifyDate', direction: 'DESC' },
      { field: 'Key', direction: 'ASC' },
    ]);
    expect(parseCeqlOrderBy('CreationDate+ASC')).toEqual([{ field: 'CreationDate', direction: 'ASC' }]);
  });

  it('names the position of a bad orderBy entry', () => {
    expect(() => parseCeqlOrderBy('Key, Last Modify')).toThrow(/position 5 of orderBy/);
  });

  it('parses a field list', () => {
    expect(parseCeqlFields('Key, FirstName,,LastName')).toEqual(['Key', 'FirstName', 'LastName']);
    expect(() => parseCeqlFields('Key,First-Name')).toThrow(/position 4 of fields/);
  });
});
