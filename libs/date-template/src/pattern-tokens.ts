import { DateTemplateError } from './errors';

/** Every letter java.text.SimpleDateFormat knows (DateFormatSymbols.patternChars). */
export const PATTERN_LETTERS = 'GyMdkHmsSEDFwWahKzZYuXL';

export interface FieldToken {
  readonly kind: 'field';
  readonly letter: string;
  readonly count: number;
  /** Index of the run's first letter in the pattern. */
  readonly position: number;
}

export interface LiteralToken {
  readonly kind: 'literal';
  readonly text: string;
  readonly position: number;
}

export type PatternToken = FieldToken | LiteralToken;

function isAsciiLetter(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z');
}

/**
 * Splits a SimpleDateFormat pattern like SimpleDateFormat#compile: runs of one letter are fields,
 * '…' is quoted text, '' is a quote (inside or outside quotes), any other non-letter is literal.
 * Adjacent literal text is merged, so a field followed by a field means the two abut.
 */
export function tokenizePattern(pattern: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  let literal = '';
  let literalStart = 0;
  let inQuote = false;
  let quoteStart = 0;

  const pushLiteral = (text: string, position: number): void => {
    if (literal === '') literalStart = position;
    literal += text;
  };
  const flushLiteral = (): void => {
    if (literal !== '') tokens.push({ kind: 'literal', text: literal, position: literalStart });
    literal = '';
  };

  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === "'") {
      if (pattern.charAt(i + 1) === "'") {
        pushLiteral("'", i);
        i++;
      } else {
        inQuote = !inQuote;
        quoteStart = i;
      }
      continue;
    }
    if (inQuote || !isAsciiLetter(char)) {
      pushLiteral(char, i);
      continue;
    }
    if (!PATTERN_LETTERS.includes(char)) {
      throw new DateTemplateError(
        'UNKNOWN_PATTERN_LETTER',
        `Unknown pattern letter '${char}' at index ${i} of "${pattern}": letters are ${PATTERN_LETTERS}; ` +
          `put literal text in single quotes (e.g. 'T')`,
        i,
      );
    }
    let end = i + 1;
    while (pattern.charAt(end) === char) end++;
    const count = end - i;
    if (char === 'X' && count > 3) {
      throw new DateTemplateError(
        'INVALID_ARGUMENT',
        `Pattern "${pattern}" has ${count} 'X' at index ${i}: ISO 8601 offsets take X, XX or XXX`,
        i,
      );
    }
    flushLiteral();
    tokens.push({ kind: 'field', letter: char, count, position: i });
    i = end - 1;
  }
  if (inQuote) {
    throw new DateTemplateError(
      'UNTERMINATED_QUOTE',
      `Unterminated quote at index ${quoteStart} of "${pattern}": close it with ' (write '' for a literal quote)`,
      quoteStart,
    );
  }
  flushLiteral();
  return tokens;
}
