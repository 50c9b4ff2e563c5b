import { MAX_SOQL_LENGTH, parseSoql, SoqlError } from './soql';

describe('parseSoql', () => {
  it('parses the poller query: fields, object, dateTime condition, order, limit', () => {
    const query = parseSoql(
      'SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp > 2024-01-15T16:54:00Z ORDER BY SystemModstamp ASC, Id LIMIT 500',
    );
    expect(query).toEqual({
      fields: ['Id', 'Name', 'SystemModstamp'],
      object: 'Account',
      where: [
        {
          field: 'SystemModstamp',
          operator: '>',
          value: { kind: 'dateTime', ms: Date.parse('2024-01-15T16:54:00Z'), text: '2024-01-15T16:54:00Z' },
        },
      ],
      orderBy: [
        { field: 'SystemModstamp', descending: false, nullsLast: false },
        { field: 'Id', descending: false, nullsLast: false },
      ],
      limit: 500,
      offset: null,
    });
  });

  it('reads offsets and fractions in dateTime literals, keywords in any case, AND, strings', () => {
    const query = parseSoql(
      "select Id from Contact where LastModifiedDate >= 2024-01-15T11:54:00.500-05:00 and Name != 'O\\'Brien' order by LastModifiedDate desc nulls last",
    );
    expect(query.where[0]?.value).toEqual({
      kind: 'dateTime',
      ms: Date.parse('2024-01-15T16:54:00.500Z'),
      text: '2024-01-15T11:54:00.500-05:00',
    });
    expect(query.where[1]).toEqual({
      field: 'Name',
      operator: '!=',
      value: { kind: 'string', value: "O'Brien" },
    });
    expect(query.orderBy).toEqual([{ field: 'LastModifiedDate', descending: true, nullsLast: true }]);
  });

  it.each([
    ['SELECT FROM Account', "unexpected token: 'FROM'"],
    ['SELECT Id FROM Account WHERE', 'unexpected token: <EOF>'],
    ['SELECT Id FROM Account WHERE SystemModstamp > 2024-13-01T00:00:00Z', 'no viable alternative'],
    ['SELECT Id FROM Account WHERE SystemModstamp > 2024-02-30T00:00:00Z', 'no viable alternative'],
    ["SELECT Id FROM Account WHERE Name = 'unterminated", 'unterminated string literal'],
    ['SELECT Id FROM Account WHERE Name = 1 OR Name = 2', 'AND only'],
    ['SELECT Id FROM Account LIMIT -1', "unexpected token: '-1'"],
    ['SELECT Id FROM Account; DELETE', "unexpected token: ';'"],
    ['SELECT Id FROM Account OFFSET 2001', 'Maximum SOQL offset allowed is 2000'],
  ])('refuses %j as MALFORMED_QUERY', (soql, message) => {
    let caught: unknown;
    try {
      parseSoql(soql);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SoqlError);
    expect((caught as SoqlError).errorCode).toBe('MALFORMED_QUERY');
    expect((caught as SoqlError).message).toContain(message);
  });

  it('refuses a statement over 100,000 characters without tokenizing it', () => {
    const soql = `SELECT Id FROM Account WHERE Name = '${'x'.repeat(MAX_SOQL_LENGTH)}'`;
    expect(() => parseSoql(soql)).toThrow('SOQL statements cannot be longer than 100,000 characters.');
  });
});
