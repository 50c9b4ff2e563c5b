// CEQL, the hub query language of poller URLs (`where=`, `orderBy=`, `fields=`): a parser into a
// provider-neutral tree. Each element translates the tree into its provider's query form.
//
// Grammar (keywords case-insensitive):
//   where      := or
//   or         := and ( OR and )*
//   and        := primary ( AND primary )*
//   primary    := '(' or ')' | condition
//   condition  := field ( '=' | '!=' | '<>' | '<' | '>' | '<=' | '>=' ) value
//               | field LIKE string
//               | field IN '(' value ( ',' value )* ')'
//               | field IS [NOT] NULL
//   value      := 'single-quoted, '' escapes a quote' | number | true | false
//
// Positions are 0-based character offsets into the (decoded) where string.

import {
  CeqlSyntaxError,
  COMPARISON_OPERATORS,
  DROPPABLE_TRAILING,
  tokenize,
  type Token,
} from './ceql-tokens';

export { CeqlSyntaxError } from './ceql-tokens';

export type CeqlValue = string | number | boolean;
export type CeqlComparisonOperator = '=' | '!=' | '<' | '>' | '<=' | '>=' | 'LIKE';

export type CeqlExpression =
  | { readonly type: 'and'; readonly operands: readonly CeqlExpression[] }
  | { readonly type: 'or'; readonly operands: readonly CeqlExpression[] }
  | {
      readonly type: 'comparison';
      readonly field: string;
      readonly operator: CeqlComparisonOperator;
      readonly value: CeqlValue;
      readonly position: number;
    }
  | {
      readonly type: 'in';
      readonly field: string;
      readonly values: readonly CeqlValue[];
      readonly position: number;
    }
  | {
      readonly type: 'null-check';
      readonly field: string;
      readonly negated: boolean;
      readonly position: number;
    };

export interface ParsedWhere {
  /** Undefined when the where clause is empty (everything matches). */
  readonly expression: CeqlExpression | undefined;
  readonly warnings: string[];
}

class Parser {
  private index = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parse(): ParsedWhere {
    if (this.tokens.length === 0) return { expression: undefined, warnings: [] };
    const first = this.peek();
    if (first !== undefined && first.kind === 'stray' && DROPPABLE_TRAILING.test(this.source)) {
      return {
        expression: undefined,
        warnings: [`Ignored stray ${JSON.stringify(this.source.trim())} in an otherwise empty where clause`],
      };
    }
    const expression = this.parseOr();
    const warnings: string[] = [];
    const next = this.peek();
    if (next !== undefined) {
      const rest = this.source.slice(next.position);
      if (next.kind === 'stray' && DROPPABLE_TRAILING.test(rest)) {
        warnings.push(
          `Ignored trailing ${JSON.stringify(rest.trim())} after the complete where expression (position ${next.position})`,
        );
      } else if (next.kind === ')') {
        this.fail(`Unbalanced ')'`, next.position);
      } else {
        this.fail(
          `Unexpected ${describe(next)}; expected AND, OR or the end of the where clause`,
          next.position,
        );
      }
    }
    return { expression, warnings };
  }

  private parseOr(): CeqlExpression {
    const operands = [this.parseAnd()];
    while (this.acceptKeyword('OR')) operands.push(this.parseAnd());
    return operands.length === 1 && operands[0] !== undefined ? operands[0] : { type: 'or', operands };
  }

  private parseAnd(): CeqlExpression {
    const operands = [this.parsePrimary()];
    while (this.acceptKeyword('AND')) operands.push(this.parsePrimary());
    return operands.length === 1 && operands[0] !== undefined ? operands[0] : { type: 'and', operands };
  }

  private parsePrimary(): CeqlExpression {
    const token = this.peek();
    if (token === undefined)
      return this.fail('Expected a condition but the where clause ended', this.source.length);
    if (token.kind === '(') {
      this.index += 1;
      const inner = this.parseOr();
      const closing = this.peek();
      if (closing?.kind !== ')') {
        return this.fail(
          closing === undefined
            ? `Missing ')' for the '(' at position ${token.position}`
            : `Expected ')' to close the '(' at position ${token.position} but found ${describe(closing)}`,
          closing?.position ?? this.source.length,
        );
      }
      this.index += 1;
      return inner;
    }
    return this.parseCondition();
  }

  private parseCondition(): CeqlExpression {
    const fieldToken = this.next();
    if (fieldToken === undefined) return this.fail('Expected a field name', this.source.length);
    if (fieldToken.kind === 'keyword' && fieldToken.text === 'NOT') {
      return this.fail(`Unsupported operator NOT`, fieldToken.position);
    }
    if (fieldToken.kind !== 'identifier') {
      return this.fail(`Expected a field name but found ${describe(fieldToken)}`, fieldToken.position);
    }
    const field = fieldToken.text;
    const operatorToken = this.next();
    if (operatorToken === undefined) {
      return this.fail(`Expected an operator after field '${field}'`, this.source.length);
    }
    if (operatorToken.kind === 'operator') {
      if (!COMPARISON_OPERATORS.has(operatorToken.text)) {
        return this.fail(`Unsupported operator '${operatorToken.text}'`, operatorToken.position);
      }
      const operator = (operatorToken.text === '<>' ? '!=' : operatorToken.text) as CeqlComparisonOperator;
      const valueToken = this.peek();
      if (valueToken?.kind === 'keyword' && valueToken.text === 'NULL') {
        return this.fail(`Use IS NULL / IS NOT NULL to compare with NULL`, valueToken.position);
      }
      const value = this.parseValue(`after '${operatorToken.text}'`);
      return { type: 'comparison', field, operator, value, position: fieldToken.position };
    }
    if (operatorToken.kind === 'keyword') {
      switch (operatorToken.text) {
        case 'LIKE': {
          const patternToken = this.next();
          if (patternToken?.kind !== 'string') {
            return this.fail(
              `LIKE needs a single-quoted pattern${patternToken === undefined ? '' : ` but found ${describe(patternToken)}`}`,
              patternToken?.position ?? this.source.length,
            );
          }
          return {
            type: 'comparison',
            field,
            operator: 'LIKE',
            value: patternToken.text,
            position: fieldToken.position,
          };
        }
        case 'IN':
          return { type: 'in', field, values: this.parseValueList(), position: fieldToken.position };
        case 'IS': {
          const negated = this.acceptKeyword('NOT');
          const nullToken = this.next();
          if (nullToken?.kind !== 'keyword' || nullToken.text !== 'NULL') {
            return this.fail(
              `Expected NULL after IS${negated ? ' NOT' : ''}`,
              nullToken?.position ?? this.source.length,
            );
          }
          return { type: 'null-check', field, negated, position: fieldToken.position };
        }
        case 'NOT': {
          const following = this.peek();
          const what = following?.kind === 'keyword' ? `NOT ${following.text}` : 'NOT';
          return this.fail(`Unsupported operator ${what}`, operatorToken.position);
        }
        default:
          break;
      }
    }
    if (operatorToken.kind === 'identifier' || operatorToken.kind === 'keyword') {
      return this.fail(`Unsupported operator '${operatorToken.text}'`, operatorToken.position);
    }
    if (operatorToken.kind === 'stray') {
      return this.fail(`Unsupported operator '${operatorToken.text}'`, operatorToken.position);
    }
    return this.fail(
      `Expected an operator after field '${field}' but found ${describe(operatorToken)}`,
      operatorToken.position,
    );
  }

  private parseValueList(): CeqlValue[] {
    const open = this.next();
    if (open?.kind !== '(') {
      return this.fail(
        `IN needs a parenthesised list such as ('a','b')`,
        open?.position ?? this.source.length,
      );
    }
    const values = [this.parseValue('in the IN list')];
    for (;;) {
      const token = this.next();
      if (token?.kind === ')') return values;
      if (token?.kind !== ',') {
        return this.fail(
          token === undefined
            ? `Missing ')' for the IN list opened at position ${open.position}`
            : `Expected ',' or ')' in the IN list but found ${describe(token)}`,
          token?.position ?? this.source.length,
        );
      }
      values.push(this.parseValue('in the IN list'));
    }
  }

  private parseValue(where: string): CeqlValue {
    const token = this.next();
    if (token === undefined)
      return this.fail(`Expected a value ${where} but the where clause ended`, this.source.length);
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'keyword' && token.text === 'TRUE') return true;
    if (token.kind === 'keyword' && token.text === 'FALSE') return false;
    if (token.kind === 'stray' && token.text === '"') {
      return this.fail(`Double-quoted literals are not supported; use single quotes`, token.position);
    }
    if (token.kind === 'identifier') {
      return this.fail(
        `Expected a value ${where} but found field name '${token.text}' (quote string values: '${token.text}')`,
        token.position,
      );
    }
    return this.fail(`Expected a value ${where} but found ${describe(token)}`, token.position);
  }

  private acceptKeyword(keyword: string): boolean {
    const token = this.peek();
    if (token?.kind === 'keyword' && token.text === keyword) {
      this.index += 1;
      return true;
    }
    return false;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(): Token | undefined {
    const token = this.tokens[this.index];
    if (token !== undefined) this.index += 1;
    return token;
  }

  private fail(problem: string, position: number): never {
    throw new CeqlSyntaxError(problem, position, this.source);
  }
}

function describe(token: Token): string {
  if (token.kind === 'string') return `the string '${token.text}'`;
  if (token.kind === 'keyword') return token.text;
  return `'${token.text}'`;
}

/** Parse a decoded `where` value. Throws CeqlSyntaxError naming the position. */
export function parseCeqlWhere(where: string): ParsedWhere {
  return new Parser(where, tokenize(where)).parse();
}

export interface CeqlOrderField {
  readonly field: string;
  readonly direction: 'ASC' | 'DESC';
}

/** `orderBy=LastModifyDate desc, Key` → fields with directions (default ASC). */
export function parseCeqlOrderBy(orderBy: string): CeqlOrderField[] {
  const fields: CeqlOrderField[] = [];
  let offset = 0;
  for (const part of orderBy.split(',')) {
    const partStart = offset;
    offset += part.length + 1;
    const words = part.replace(/\+/g, ' ').trim();
    const position = partStart + (part.length - part.trimStart().length);
    if (words === '') throw new CeqlSyntaxError('Empty orderBy entry', position, orderBy, 'orderBy');
    const match = /^([A-Za-z_$][A-Za-z0-9_.$]*)(?:\s+(asc|desc))?$/i.exec(words);
    if (match === null || match[1] === undefined) {
      throw new CeqlSyntaxError(
        `Expected 'field [asc|desc]' but found ${JSON.stringify(words)}`,
        position,
        orderBy,
        'orderBy',
      );
    }
    fields.push({ field: match[1], direction: match[2]?.toUpperCase() === 'DESC' ? 'DESC' : 'ASC' });
  }
  return fields;
}

/** `fields=Key,FirstName` → field names. */
export function parseCeqlFields(fieldList: string): string[] {
  const fields: string[] = [];
  let offset = 0;
  for (const part of fieldList.split(',')) {
    const position = offset + (part.length - part.trimStart().length);
    offset += part.length + 1;
    const name = part.replace(/\+/g, ' ').trim();
    if (name === '') continue;
    if (!/^[A-Za-z_$][A-Za-z0-9_.$]*$/.test(name)) {
      throw new CeqlSyntaxError(`Invalid field name ${JSON.stringify(name)}`, position, fieldList, 'fields');
    }
    fields.push(name);
  }
  return fields;
}

/** Conditions in source order (for finding e.g. the date field a poller filters on). */
export function ceqlConditions(
  expression: CeqlExpression | undefined,
): Exclude<CeqlExpression, { type: 'and' | 'or' }>[] {
  if (expression === undefined) return [];
  if (expression.type === 'and' || expression.type === 'or')
    return expression.operands.flatMap(ceqlConditions);
  return [expression];
}
