// The part of SOQL a poller sends, parsed strictly: SELECT fields FROM object [WHERE cond AND …]
// [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]. A condition compares a field
// with a dateTime literal (2024-01-01T00:00:00Z, …+01:00, fractions allowed), a 'string', a number,
// true/false or null. Anything else is a SoqlError carrying Salesforce's errorCode and message.

export type SoqlOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type SoqlValue =
  | { readonly kind: 'dateTime'; readonly ms: number; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' };

export interface SoqlCondition {
  readonly field: string;
  readonly operator: SoqlOperator;
  readonly value: SoqlValue;
}

export interface SoqlOrder {
  readonly field: string;
  readonly descending: boolean;
  readonly nullsLast: boolean;
}

export interface SoqlQuery {
  readonly fields: string[];
  readonly object: string;
  readonly where: SoqlCondition[];
  readonly orderBy: SoqlOrder[];
  readonly limit: number | null;
  readonly offset: number | null;
}

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

/** Salesforce refuses SOQL longer than this (characters). */
export const MAX_SOQL_LENGTH = 100_000;

interface Token {
  readonly text: string;
  readonly kind: 'word' | 'string' | 'operator' | 'comma' | 'paren' | 'literal';
  readonly column: number;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:\d{2}|[+-]\d{4})$/;
const WORD = /^[A-Za-z_][A-Za-z0-9_.]*$/;

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < soql.length) {
    const char = soql[index] ?? '';
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    const column = index + 1;
    if (char === "'") {
      let value = '';
      index += 1;
      for (;;) {
        const next = soql[index];
        if (next === undefined) throw malformed(soql, column, 'unterminated string literal');
        if (next === '\\') {
          value += soql[index + 1] ?? '';
          index += 2;
          continue;
        }
        index += 1;
        if (next === "'") break;
        value += next;
      }
      tokens.push({ text: value, kind: 'string', column });
      continue;
    }
    const operator = /^(!=|<=|>=|<>|=|<|>)/.exec(soql.slice(index, index + 2));
    if (operator) {
      const text = operator[1] === '<>' ? '!=' : (operator[1] ?? '');
      tokens.push({ text, kind: 'operator', column });
      index += operator[1]?.length ?? 1;
      continue;
    }
    if (char === ',') {
      tokens.push({ text: ',', kind: 'comma', column });
      index += 1;
      continue;
    }
    if (char === '(' || char === ')') {
      tokens.push({ text: char, kind: 'paren', column });
      index += 1;
      continue;
    }
    const literal = /^[A-Za-z0-9_.:+-]+/.exec(soql.slice(index));
    if (!literal) throw malformed(soql, column, `unexpected token: '${char}'`);
    const text = literal[0];
    tokens.push({ text, kind: WORD.test(text) ? 'word' : 'literal', column });
    index += text.length;
  }
  return tokens;
}

function malformed(soql: string, column: number, message: string): SoqlError {
  const shown = soql.length > 200 ? `${soql.slice(0, 200)}…` : soql;
  return new SoqlError('MALFORMED_QUERY', `\n${shown}\n^\nERROR at Row:1:Column:${column}\n${message}`);
}

function parseDateTime(text: string): number | null {
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes =
      (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (zone[0] === '-' ? -1 : 1);
  }
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s, Math.round(Number(fraction ?? 0) * 1000));
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCDate() !== d) return null;
  return ms - offsetMinutes * 60_000;
}

/** Parses one SOQL statement; throws SoqlError with Salesforce's code and message. */
export function parseSoql(soql: string): SoqlQuery {
  if (soql.length > MAX_SOQL_LENGTH) {
    throw new SoqlError(
      'MALFORMED_QUERY',
      `SOQL statements cannot be longer than ${MAX_SOQL_LENGTH.toLocaleString('en-US')} characters.`,
    );
  }
  const tokens = tokenize(soql);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const endColumn = soql.length + 1;
  const fail = (token: Token | undefined, message?: string): never => {
    throw malformed(
      soql,
      token?.column ?? endColumn,
      message ?? `unexpected token: ${token ? `'${token.text}'` : '<EOF>'}`,
    );
  };
  const keyword = (word: string): boolean => {
    const token = peek();
    if (token?.kind === 'word' && token.text.toUpperCase() === word) {
      position += 1;
      return true;
    }
    return false;
  };
  const expectKeyword = (word: string): void => {
    if (!keyword(word)) fail(peek());
  };
  const identifier = (): string => {
    const token = peek();
    if (token?.kind !== 'word' || RESERVED.has(token.text.toUpperCase())) return fail(token);
    position += 1;
    return token.text;
  };
  const integer = (): number => {
    const token = peek();
    if (!token || !/^\d{1,9}$/.test(token.text)) return fail(token);
    position += 1;
    return Number(token.text);
  };

  expectKeyword('SELECT');
  const fields = [identifier()];
  while (peek()?.kind === 'comma') {
    position += 1;
    fields.push(identifier());
  }
  expectKeyword('FROM');
  const object = identifier();
  const where: SoqlCondition[] = [];
  if (keyword('WHERE')) {
    do {
      const field = identifier();
      const operatorToken = peek();
      if (operatorToken?.kind !== 'operator') return fail(operatorToken);
      position += 1;
      const valueToken = peek();
      if (
        !valueToken ||
        valueToken.kind === 'comma' ||
        valueToken.kind === 'paren' ||
        valueToken.kind === 'operator'
      )
        return fail(valueToken);
      position += 1;
      where.push({
        field,
        operator: operatorToken.text as SoqlOperator,
        value: literalValue(valueToken, fail),
      });
    } while (keyword('AND'));
    const next = peek();
    if (next?.kind === 'word' && ['OR', 'NOT'].includes(next.text.toUpperCase())) {
      fail(next, `unexpected token: '${next.text}' (the simulator supports AND only)`);
    }
  }
  const orderBy: SoqlOrder[] = [];
  if (keyword('ORDER')) {
    expectKeyword('BY');
    do {
      const field = identifier();
      const descending = keyword('DESC') ? true : (keyword('ASC'), false);
      let nullsLast = descending;
      if (keyword('NULLS')) {
        if (keyword('LAST')) nullsLast = true;
        else if (keyword('FIRST')) nullsLast = false;
        else fail(peek());
      }
      orderBy.push({ field, descending, nullsLast });
      if (peek()?.kind !== 'comma') break;
      position += 1;
    } while (position < tokens.length);
  }
  const limit = keyword('LIMIT') ? integer() : null;
  const offset = keyword('OFFSET') ? integer() : null;
  if (offset !== null && offset > 2000) {
    throw new SoqlError('MALFORMED_QUERY', 'Maximum SOQL offset allowed is 2000');
  }
  if (position < tokens.length) fail(peek());
  return { fields, object, where, orderBy, limit, offset };
}

const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'ORDER',
  'BY',
  'LIMIT',
  'OFFSET',
  'ASC',
  'DESC',
  'NULLS',
]);

function literalValue(token: Token, fail: (token: Token, message?: string) => never): SoqlValue {
  if (token.kind === 'string') return { kind: 'string', value: token.text };
  const upper = token.text.toUpperCase();
  if (upper === 'NULL') return { kind: 'null' };
  if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'boolean', value: upper === 'TRUE' };
  if (/^-?\d+(\.\d+)?$/.test(token.text)) return { kind: 'number', value: Number(token.text) };
  if (/^\d{4}-\d{2}-\d{2}T/.test(token.text)) {
    const ms = parseDateTime(token.text);
    if (ms === null)
      return fail(token, `line 1:${token.column} no viable alternative at character '${token.text}'`);
    return { kind: 'dateTime', ms, text: token.text };
  }
  return fail(token);
}
