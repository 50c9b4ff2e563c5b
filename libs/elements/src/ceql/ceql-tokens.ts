// The CEQL tokenizer, and the syntax error every CEQL parser throws (the grammar is in ceql.ts).

export class CeqlSyntaxError extends Error {
  constructor(
    readonly problem: string,
    readonly position: number,
    readonly source: string,
    readonly parameter: string = 'where',
  ) {
    super(
      `${problem} at position ${position} of ${parameter} ${JSON.stringify(source)}${pointer(source, position)}`,
    );
    this.name = 'CeqlSyntaxError';
  }
}

function pointer(source: string, position: number): string {
  const start = Math.max(0, position - 20);
  const excerpt = source.slice(start, position + 20);
  return ` (near ${JSON.stringify((start > 0 ? '…' : '') + excerpt)})`;
}

type TokenKind = 'identifier' | 'keyword' | 'string' | 'number' | 'operator' | '(' | ')' | ',' | 'stray';

export interface Token {
  readonly kind: TokenKind;
  /** Source text; for keywords upper-cased, for strings the unescaped value. */
  readonly text: string;
  readonly position: number;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'LIKE', 'IN', 'IS', 'NULL', 'TRUE', 'FALSE']);
export const COMPARISON_OPERATORS = new Set(['=', '!=', '<>', '<', '>', '<=', '>=']);
/**
 * Characters that can never continue a CEQL expression; when only these (and blanks) follow a
 * complete expression we drop them with a warning. This is what makes the seed's
 * `…'${date:…}'"` (a stray double quote) work while anything that could change the meaning fails.
 */
export const DROPPABLE_TRAILING = /^[\s"`;]+$/;

/**
 * Blanks between tokens. `+` counts as a blank outside quoted literals: CEQL has no arithmetic, so
 * a bare `+` can only be a form-encoded space (or a redundant sign, which means the same).
 * Inside literals `+` stays `+`, so ISO offsets such as `+05:00` survive.
 */
function isBlank(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '+';
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source.charAt(index);
    if (isBlank(char)) {
      index += 1;
      continue;
    }
    const start = index;
    if (char === "'") {
      let value = '';
      index += 1;
      for (;;) {
        if (index >= source.length) throw new CeqlSyntaxError('Unterminated string literal', start, source);
        const next = source.charAt(index);
        if (next === "'") {
          if (source.charAt(index + 1) === "'") {
            value += "'";
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        value += next;
        index += 1;
      }
      tokens.push({ kind: 'string', text: value, position: start });
      continue;
    }
    const numberMatch = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(index));
    if (numberMatch !== null && (char !== '-' || /\d/.test(source.charAt(index + 1)))) {
      tokens.push({ kind: 'number', text: numberMatch[0], position: start });
      index += numberMatch[0].length;
      continue;
    }
    const identifierMatch = /^[A-Za-z_$][A-Za-z0-9_.$]*/.exec(source.slice(index));
    if (identifierMatch !== null) {
      const word = identifierMatch[0];
      const upper = word.toUpperCase();
      tokens.push(
        KEYWORDS.has(upper)
          ? { kind: 'keyword', text: upper, position: start }
          : { kind: 'identifier', text: word, position: start },
      );
      index += word.length;
      continue;
    }
    const twoChars = source.slice(index, index + 2);
    if (
      twoChars === '!=' ||
      twoChars === '<>' ||
      twoChars === '<=' ||
      twoChars === '>=' ||
      twoChars === '=='
    ) {
      tokens.push({ kind: 'operator', text: twoChars, position: start });
      index += 2;
      continue;
    }
    if (char === '=' || char === '<' || char === '>') {
      tokens.push({ kind: 'operator', text: char, position: start });
      index += 1;
      continue;
    }
    if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: char, text: char, position: start });
      index += 1;
      continue;
    }
    // Left for the parser to judge: trailing garbage it may drop, or an error in place.
    tokens.push({ kind: 'stray', text: char, position: start });
    index += 1;
  }
  return tokens;
}
