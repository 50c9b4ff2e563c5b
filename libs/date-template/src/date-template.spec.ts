import fc from 'fast-check';
import {
  compileJavaPattern,
  compileUrlTemplate,
  DateTemplateError,
  parseRecordDate,
  resolveZone,
  type DateTemplateErrorCode,
} from './index';

function errorOf(action: () => unknown): DateTemplateError {
  try {
    action();
  } catch (error) {
    if (error instanceof DateTemplateError) return error;
    throw error;
  }
  throw new Error('expected a DateTemplateError, nothing was thrown');
}

function expectError(
  action: () => unknown,
  code: DateTemplateErrorCode,
  position?: number,
): DateTemplateError {
  const error = errorOf(action);
  expect(error.code).toBe(code);
  if (position !== undefined) expect(error.position).toBe(position);
  return error;
}

const instant = new Date('2024-07-04T18:05:09.042Z');

describe('compileJavaPattern', () => {
  it('formats the seed pattern in GMT by default and in any zone', () => {
    const format = compileJavaPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
    expect(format.pattern).toBe("yyyy-MM-dd'T'HH:mm:ssXXX");
    expect(format.format(instant)).toBe('2024-07-04T18:05:09Z');
    expect(format.format(instant, 'America/Toronto')).toBe('2024-07-04T14:05:09-04:00');
    expect(format.format(instant, 'EST')).toBe('2024-07-04T13:05:09-05:00');
    expect(format.format(instant, '+6:00')).toBe('2024-07-05T00:05:09+06:00');
  });

  it('follows Java count rules for months, years, milliseconds and offsets', () => {
    const cases: [string, string][] = [
      ['M MM MMM MMMM', '7 07 Jul July'],
      ['y yy yyy yyyy yyyyy', '2024 24 2024 2024 02024'],
      ['S SS SSS SSSS', '42 42 042 0042'],
      ['X XX XXX Z', 'Z Z Z +0000'],
      ["''yy 'o''clock' h a", "'24 o'clock 6 PM"],
      ['E EEEE u D F W w Y', 'Thu Thursday 4 186 1 1 27 2024'],
      ['G k K z zzzz', 'AD 18 6 GMT Greenwich Mean Time'],
    ];
    for (const [pattern, expected] of cases)
      expect(compileJavaPattern(pattern).format(instant)).toBe(expected);
    expect(compileJavaPattern('X XX XXX Z z').format(instant, 'Asia/Kathmandu')).toBe(
      '+05 +0545 +05:45 +0545 NPT',
    );
    expect(compileJavaPattern('z zzzz').format(instant, 'America/Los_Angeles')).toBe(
      'PDT Pacific Daylight Time',
    );
  });

  it('reports unknown letters and unterminated quotes with their index', () => {
    const letter = expectError(
      () => compileJavaPattern("yyyy-MM-dd'T'HH:mm:ss.fff"),
      'UNKNOWN_PATTERN_LETTER',
      22,
    );
    expect(letter.message).toContain("'f'");
    expect(letter.message).toContain('index 22');
    expectError(() => compileJavaPattern("yyyy-MM-dd'T"), 'UNTERMINATED_QUOTE', 10);
    expectError(() => compileJavaPattern('XXXX'), 'INVALID_ARGUMENT', 0);
    expectError(() => compileJavaPattern(''), 'INVALID_ARGUMENT');
  });

  it('refuses invalid dates and zones', () => {
    const format = compileJavaPattern('yyyy');
    expectError(() => format.format(new Date(NaN)), 'INVALID_ARGUMENT');
    expectError(() => format.format(instant, 'Mars/Olympus'), 'UNKNOWN_ZONE');
  });

  it('resolves wall times in DST gaps and overlaps like GregorianCalendar', () => {
    const format = compileJavaPattern('yyyy-MM-dd HH:mm');
    // spring forward: 02:30 does not exist in Toronto; Java reads it with the old offset (EST) = 03:30 EDT
    expect(format.parse('2024-03-10 02:30', 'America/Toronto').toISOString()).toBe(
      '2024-03-10T07:30:00.000Z',
    );
    // fall back: 01:30 happens twice; Java takes the later one (standard time)
    expect(format.parse('2024-11-03 01:30', 'America/Toronto').toISOString()).toBe(
      '2024-11-03T06:30:00.000Z',
    );
    // Lord Howe's half-hour overlap
    expect(format.parse('2024-04-07 01:45', 'Australia/Lord_Howe').toISOString()).toBe(
      '2024-04-06T15:15:00.000Z',
    );
  });

  it('reads zone names the way SimpleDateFormat does (PDT = raw offset + DST savings)', () => {
    const format = compileJavaPattern('yyyy-MM-dd HH:mm z');
    expect(format.parse('2024-01-15 10:00 PDT').toISOString()).toBe('2024-01-15T17:00:00.000Z');
    expect(format.parse('2024-01-15 10:00 Pacific Standard Time').toISOString()).toBe(
      '2024-01-15T18:00:00.000Z',
    );
    expect(format.parse('2024-01-15 10:00 GMT+05:30').toISOString()).toBe('2024-01-15T04:30:00.000Z');
    // Ambiguous abbreviations: the parse zone's own names win, then the JDK's table order (IST = Israel first)
    expect(format.parse('2024-01-15 10:00 IST', 'Asia/Kolkata').toISOString()).toBe(
      '2024-01-15T04:30:00.000Z',
    );
    expect(format.parse('2024-01-15 10:00 IST').toISOString()).toBe('2024-01-15T08:00:00.000Z');
    expect(format.parse('2024-07-15 10:00 CST').toISOString()).toBe('2024-07-15T16:00:00.000Z');
  });

  it('parses week dates (Y + w + u/E) with US rules and refuses week fields it cannot resolve', () => {
    expect(compileJavaPattern("YYYY-'W'ww-u").parse('2025-W01-2').toISOString()).toBe(
      '2024-12-31T00:00:00.000Z',
    );
    const weekYearTypo = expectError(
      () => compileJavaPattern('YYYY-MM-dd').parse('2024-12-31'),
      'UNPARSEABLE_DATE',
    );
    expect(weekYearTypo.message).toContain("did you mean 'y'");
    expectError(() => compileJavaPattern('yyyy ww').parse('2024 05'), 'UNPARSEABLE_DATE');
  });
});

describe('parseRecordDate', () => {
  it('reads epoch milliseconds as number or numeric string', () => {
    expect(parseRecordDate(1_700_000_000_123, 'milliseconds').getTime()).toBe(1_700_000_000_123);
    expect(parseRecordDate('1700000000123', 'milliseconds').getTime()).toBe(1_700_000_000_123);
    expect(parseRecordDate('-1000', 'milliseconds').getTime()).toBe(-1000);
    expectError(() => parseRecordDate('17e11', 'milliseconds'), 'UNPARSEABLE_DATE');
    expectError(() => parseRecordDate(1.5, 'milliseconds'), 'UNPARSEABLE_DATE');
    expectError(() => parseRecordDate(null, 'milliseconds'), 'INVALID_ARGUMENT');
  });

  it('is lenient on fractions of any length after .SSS and on Z vs +00:00', () => {
    const pattern = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
    expect(parseRecordDate('2024-01-15T16:54:00.1Z', pattern).toISOString()).toBe('2024-01-15T16:54:00.100Z');
    expect(parseRecordDate('2024-01-15T16:54:00.1234567+00:00', pattern).toISOString()).toBe(
      '2024-01-15T16:54:00.123Z',
    );
    expect(parseRecordDate('2024-01-15T16:54:00Z', "yyyy-MM-dd'T'HH:mm:ssXXX").toISOString()).toBe(
      '2024-01-15T16:54:00.000Z',
    );
    expect(parseRecordDate('2024-01-15T16:54:00+0100', "yyyy-MM-dd'T'HH:mm:ssXXX").toISOString()).toBe(
      '2024-01-15T15:54:00.000Z',
    );
    // RFC 822 'Z' also takes what ISO-speaking APIs send
    expect(parseRecordDate('2024-01-15T16:54:00+01:00', "yyyy-MM-dd'T'HH:mm:ssZ").toISOString()).toBe(
      '2024-01-15T15:54:00.000Z',
    );
    expect(parseRecordDate('2024-01-15T16:54:00Z', "yyyy-MM-dd'T'HH:mm:ssZ").toISOString()).toBe(
      '2024-01-15T16:54:00.000Z',
    );
  });

  it('applies the configured zone when the text has no offset', () => {
    expect(parseRecordDate('2024-01-15 11:54:00', 'yyyy-MM-dd HH:mm:ss', 'EST').toISOString()).toBe(
      '2024-01-15T16:54:00.000Z',
    );
    expect(parseRecordDate('01/15/2024', 'MM/dd/yyyy', 'Asia/Kolkata').toISOString()).toBe(
      '2024-01-14T18:30:00.000Z',
    );
    expect(
      parseRecordDate('Mon, 15 Jan 2024 16:54:00 -0800', 'EEE, dd MMM yyyy HH:mm:ss Z').toISOString(),
    ).toBe('2024-01-16T00:54:00.000Z');
  });

  it('is strict elsewhere and says what did not match', () => {
    const pattern = "yyyy-MM-dd'T'HH:mm:ss'Z'";
    const trailing = expectError(
      () => parseRecordDate('2024-01-15T16:54:00Zjunk', pattern),
      'UNPARSEABLE_DATE',
      20,
    );
    expect(trailing.message).toContain('2024-01-15T16:54:00Zjunk');
    expect(trailing.message).toContain(pattern);
    expectError(() => parseRecordDate('2024-13-15T16:54:00Z', pattern), 'UNPARSEABLE_DATE', 5);
    expectError(() => parseRecordDate('2024-02-30T16:54:00Z', pattern), 'UNPARSEABLE_DATE');
    expectError(() => parseRecordDate('2024-01-15 16:54:00Z', pattern), 'UNPARSEABLE_DATE', 10);
    expectError(() => parseRecordDate(' 2024-01-15T16:54:00Z', pattern), 'UNPARSEABLE_DATE', 0);
    expectError(() => parseRecordDate(20240115, pattern), 'UNPARSEABLE_DATE');
    expectError(() => parseRecordDate('2024-01-15', 'yyyy-MM-dd', 'Nowhere/Town'), 'UNKNOWN_ZONE');
  });
});

describe('resolveZone', () => {
  it.each([
    ['GMT', 'GMT'],
    ['UTC', 'UTC'],
    ['America/Denver', 'America/Denver'],
    ['america/denver', 'America/Denver'],
    ['PST', 'America/Los_Angeles'],
    ['CST', 'America/Chicago'],
    ['IST', 'Asia/Kolkata'],
    ['CET', 'CET'],
    ['EST', '-05:00'],
    ['MST', '-07:00'],
    ['HST', '-10:00'],
    ['+6:00', '+06:00'],
    ['-8:00', '-08:00'],
    ['-08:00', '-08:00'],
    ['GMT-8', '-08:00'],
    ['GMT+05:30', '+05:30'],
    ['UTC+0530', '+05:30'],
  ])('%s -> %s', (zone, canonical) => {
    expect(resolveZone(zone)).toBe(canonical);
  });

  it('refuses what Java would silently turn into GMT', () => {
    const error = expectError(() => resolveZone('Eastern'), 'UNKNOWN_ZONE');
    expect(error.message).toContain('Eastern');
    expectError(() => resolveZone('+25:00'), 'UNKNOWN_ZONE');
    expectError(() => resolveZone(''), 'UNKNOWN_ZONE');
  });
});

describe('compileUrlTemplate', () => {
  const seed = "/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'";
  const lastPoll = new Date('2019-01-15T16:54:00Z');

  it('renders the seed URL, encoding only the value in the query', () => {
    const template = compileUrlTemplate(seed);
    expect(template.source).toBe(seed);
    expect(template.placeholders).toEqual([{ text: "${date:yyyy-MM-dd'T'HH:mm:ssXXX}", start: 41, end: 73 }]);
    expect(template.render(lastPoll)).toBe(
      "/hubs/crm/contacts?where=LastModifyDate>'2019-01-15T16%3A54%3A00Z'",
    );
    expect(template.render(lastPoll, { zone: 'America/Toronto' })).toBe(
      "/hubs/crm/contacts?where=LastModifyDate>'2019-01-15T11%3A54%3A00-05%3A00'",
    );
  });

  it('renders every placeholder kind', () => {
    const template = compileUrlTemplate(
      '/x/${gmtDate:yyyy/MM/dd}?a=${dateTimeZone:-8:00:HH:mm XXX}&b=${dateTimeZone:PST:HH:mm z}' +
        '&e=${epoch}&s=${epoch:s}&ms=${epoch:ms}&us=${epoch:us}&d=${date}',
    );
    expect(template.render(lastPoll, { zone: 'Asia/Kolkata' })).toBe(
      '/x/2019/01/15?a=08%3A54%20-08%3A00&b=08%3A54%20PST' +
        '&e=1547571240000&s=1547571240&ms=1547571240000&us=1547571240000000&d=1547571240000',
    );
    expect(compileUrlTemplate('/plain?x=1').render(lastPoll)).toBe('/plain?x=1');
  });

  it('reports malformed placeholders with their position in the URL', () => {
    expectError(() => compileUrlTemplate('/x?since=${date:yyyy-MM-dd'), 'MALFORMED_PLACEHOLDER', 9);
    expectError(() => compileUrlTemplate('/x?a=1&since=${lastPoll}'), 'MALFORMED_PLACEHOLDER', 13);
    expectError(() => compileUrlTemplate('/x?since=${epoch:ns}'), 'MALFORMED_PLACEHOLDER', 9);
    expectError(() => compileUrlTemplate('/x?since=${date:}'), 'MALFORMED_PLACEHOLDER', 9);
    expectError(() => compileUrlTemplate('/x?since=${dateTimeZone:PST}'), 'MALFORMED_PLACEHOLDER', 9);
    expectError(() => compileUrlTemplate('/x?since=${date:${date:yyyy}'), 'MALFORMED_PLACEHOLDER', 9);
    const letter = expectError(
      () => compileUrlTemplate('/x?since=${date:yyyy-qq}'),
      'UNKNOWN_PATTERN_LETTER',
      21,
    );
    expect(letter.message).toContain("'q'");
    expectError(() => compileUrlTemplate("/x?since=${date:yyyy'T}"), 'UNTERMINATED_QUOTE', 20);
    expectError(() => compileUrlTemplate('/x?since=${dateTimeZone:Moon/Base:yyyy}'), 'UNKNOWN_ZONE', 9);
  });

  it('refuses an invalid render time or zone', () => {
    const template = compileUrlTemplate(seed);
    expectError(() => template.render(new Date(NaN)), 'INVALID_ARGUMENT');
    expectError(() => template.render(lastPoll, { zone: 'Nowhere' }), 'UNKNOWN_ZONE');
  });
});

describe('properties', () => {
  // From 1950: earlier local mean times have offsets with seconds, which XXX (like Java) truncates.
  const instants = fc.date({
    min: new Date('1950-01-01T00:00:00Z'),
    max: new Date('2200-01-01T00:00:00Z'),
    noInvalidDate: true,
  });
  const zones = fc.constantFrom(
    'GMT',
    'America/Toronto',
    'America/Los_Angeles',
    'Europe/Berlin',
    'Asia/Kolkata',
    'Australia/Lord_Howe',
    'EST',
    '+05:45',
    'America/Sao_Paulo',
    'Europe/Dublin',
  );

  it('an offset-carrying pattern round-trips every instant in every zone', () => {
    const format = compileJavaPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    fc.assert(
      fc.property(instants, zones, (date, zone) => {
        expect(format.parse(format.format(date, zone), zone).getTime()).toBe(date.getTime());
      }),
      { numRuns: 2000 },
    );
  });

  it('a zone-less pattern round-trips the text (instants may move only within a DST overlap)', () => {
    const format = compileJavaPattern('yyyy-MM-dd HH:mm:ss.SSS');
    fc.assert(
      fc.property(instants, zones, (date, zone) => {
        const text = format.format(date, zone);
        const parsed = format.parse(text, zone);
        expect(format.format(parsed, zone)).toBe(text);
        expect(Math.abs(parsed.getTime() - date.getTime())).toBeLessThanOrEqual(2 * 3_600_000);
      }),
      { numRuns: 2000 },
    );
  });
});
