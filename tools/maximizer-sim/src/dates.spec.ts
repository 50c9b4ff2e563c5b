import { formatInTimeZone } from 'date-fns-tz';
import { DateRenderer, parseInstant } from './dates';

describe('DateRenderer', () => {
  it.each(['America/Toronto', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC', 'America/St_Johns'])(
    'matches formatInTimeZone in %s, across DST transitions',
    (zone) => {
      const renderer = new DateRenderer(zone);
      // Every 97 s over the days of the 2026 transitions (North America, and Lord Howe's).
      const days = ['2026-03-08', '2026-11-01', '2026-04-05', '2026-10-04'];
      for (const base of days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000 - 43_200)) {
        for (let second = base; second < base + 2 * 86_400; second += 97) {
          expect(renderer.render(second)).toBe(
            formatInTimeZone(new Date(second * 1000), zone, "yyyy-MM-dd'T'HH:mm:ssXXX"),
          );
        }
      }
    },
  );

  it('renders Toronto winter and summer offsets', () => {
    const renderer = new DateRenderer('America/Toronto');
    expect(renderer.render(Date.parse('2019-01-15T16:54:00Z') / 1000)).toBe('2019-01-15T11:54:00-05:00');
    expect(renderer.render(Date.parse('2019-07-15T16:54:00Z') / 1000)).toBe('2019-07-15T12:54:00-04:00');
  });

  it('rejects an unknown zone', () => {
    expect(() => new DateRenderer('Mars/Olympus')).toThrow();
  });
});

describe('parseInstant', () => {
  it.each([
    ['2019-01-15T11:54:00-05:00', Date.parse('2019-01-15T16:54:00Z')],
    ['2019-01-15T16:54:00Z', Date.parse('2019-01-15T16:54:00Z')],
    ['2019-01-15T16:54:00.250Z', Date.parse('2019-01-15T16:54:00.250Z')],
    ['2019-01-15T16:54:00', null],
    ['2019-01-15', null],
    ['yesterday', null],
  ])('%s', (value, expected) => {
    expect(parseInstant(value)).toBe(expected);
  });
});
