import { copyTextRow, copyTextValue } from './copy-rows';

describe('COPY text format', () => {
  it('escapes backslash, newline, carriage return and tab, and nothing else', () => {
    expect(copyTextValue('plain ünïcode "quoted" \\N')).toBe('plain ünïcode "quoted" \\\\N');
    expect(copyTextValue('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyTextValue('\\.')).toBe('\\\\.');
  });

  it('writes null as \\N, and a row as tab-separated values ending in a newline', () => {
    expect(copyTextValue(null)).toBe('\\N');
    expect(copyTextRow(['a', null, 'b\tc', ''])).toBe('a\t\\N\tb\\tc\t\n');
  });
});
