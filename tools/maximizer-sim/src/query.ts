import { parseInstant } from './dates';
import {
  type EntityName,
  type FieldSpec,
  type StoredRecord,
  ENTITY_FIELDS,
  fieldSpec,
  fieldValue,
} from './entities';

/** An application error: HTTP 200 with `{"Code":-1,"Msg":[message]}` on the Octopus API. */
export class OctopusError extends Error {
  constructor(
    message: string,
    readonly code = -1,
  ) {
    super(message);
    this.name = 'OctopusError';
  }
}

export class RecordNotFoundError extends OctopusError {
  override readonly name = 'RecordNotFoundError';
}

export type Comparable = string | number;
/** A record field as the query engine sees it: dates in epoch milliseconds, everything else as stored. */
type FieldReader = (record: StoredRecord) => Comparable | null;
export type RecordPredicate = (record: StoredRecord) => boolean;

export interface CompiledCriteria {
  readonly matches: RecordPredicate;
  /**
   * Inclusive bounds on LastModifyDate (epoch seconds) implied by the top-level conjunction; they
   * only narrow where the index scan starts and stops, `matches` still checks every condition.
   */
  readonly modifiedFromSeconds: number | null;
  readonly modifiedToSeconds: number | null;
  readonly matchesEverything: boolean;
}

const COMPARISON_OPERATORS = ['$EQ', '$NE', '$GT', '$GE', '$LT', '$LE', '$LIKE', '$IN', '$RANGE'] as const;
type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readerFor(field: string, spec: FieldSpec): FieldReader {
  if (spec.kind === 'date') {
    return field === 'CreationDate' ? (r) => r.creationSeconds * 1000 : (r) => r.lastModifySeconds * 1000;
  }
  if (field === 'Key') return (r) => r.key;
  return (r) => {
    const value = fieldValue(r, field);
    return value === '' ? null : value;
  };
}

function describeValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Converts a query literal to the comparable domain of the field, or throws naming the field. */
function literalFor(field: string, spec: FieldSpec, operator: string, value: unknown): Comparable {
  const bad = (): OctopusError =>
    new OctopusError(
      `Invalid value ${describeValue(value)} for operator '${operator}' on field '${field}' in Criteria.SearchQuery`,
    );
  switch (spec.kind) {
    case 'date': {
      if (typeof value !== 'string') throw bad();
      const ms = parseInstant(value);
      if (ms === null) throw bad();
      return ms;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad();
      return value;
    case 'key':
    case 'string':
    case 'enum':
      if (typeof value !== 'string') throw bad();
      return value;
  }
}

function compileLike(pattern: string): RegExp {
  const source = pattern
    .split('%')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'is');
}

interface Bounds {
  fromSeconds: number | null;
  toSeconds: number | null;
}

function narrowFrom(bounds: Bounds, seconds: number): void {
  bounds.fromSeconds = bounds.fromSeconds === null ? seconds : Math.max(bounds.fromSeconds, seconds);
}
function narrowTo(bounds: Bounds, seconds: number): void {
  bounds.toSeconds = bounds.toSeconds === null ? seconds : Math.min(bounds.toSeconds, seconds);
}

function compileCondition(
  entity: EntityName,
  field: string,
  operator: string,
  operand: unknown,
  bounds: Bounds | null,
): RecordPredicate {
  const spec = fieldSpec(entity, field);
  if (!spec) throw new OctopusError(`Unknown field '${field}' in Criteria.SearchQuery`);
  if (!(COMPARISON_OPERATORS as readonly string[]).includes(operator)) {
    throw new OctopusError(`Unknown operator '${operator}' for field '${field}' in Criteria.SearchQuery`);
  }
  const op = operator as ComparisonOperator;
  const read = readerFor(field, spec);
  // Bounds are only collected for LastModifyDate, the key of each entity's index.
  const trackBounds = bounds !== null && field === 'LastModifyDate';

  if (operand === null) {
    if (op === '$EQ') return (r) => read(r) === null;
    if (op === '$NE') return (r) => read(r) !== null;
    throw new OctopusError(`Operator '${op}' on field '${field}' does not accept null (use $EQ or $NE)`);
  }

  switch (op) {
    case '$EQ': {
      const literal = literalFor(field, spec, op, operand);
      if (trackBounds && typeof literal === 'number') {
        narrowFrom(bounds, Math.ceil(literal / 1000));
        narrowTo(bounds, Math.floor(literal / 1000));
      }
      return (r) => read(r) === literal;
    }
    case '$NE': {
      const literal = literalFor(field, spec, op, operand);
      // SQL semantics: a null value is neither equal nor unequal to a literal.
      return (r) => {
        const value = read(r);
        return value !== null && value !== literal;
      };
    }
    case '$GT':
    case '$GE':
    case '$LT':
    case '$LE': {
      const literal = literalFor(field, spec, op, operand);
      if (trackBounds && typeof literal === 'number') {
        if (op === '$GT') narrowFrom(bounds, Math.floor(literal / 1000) + 1);
        if (op === '$GE') narrowFrom(bounds, Math.ceil(literal / 1000));
        if (op === '$LT') narrowTo(bounds, Math.ceil(literal / 1000) - 1);
        if (op === '$LE') narrowTo(bounds, Math.floor(literal / 1000));
      }
      const test =
        op === '$GT'
          ? (v: Comparable) => v > literal
          : op === '$GE'
            ? (v: Comparable) => v >= literal
            : op === '$LT'
              ? (v: Comparable) => v < literal
              : (v: Comparable) => v <= literal;
      return (r) => {
        const value = read(r);
        return value !== null && test(value);
      };
    }
    case '$LIKE': {
      if (spec.kind === 'number' || spec.kind === 'date' || typeof operand !== 'string') {
        throw new OctopusError(
          `Operator '$LIKE' needs a string pattern on a text field ('${field}') in Criteria.SearchQuery`,
        );
      }
      const pattern = compileLike(operand);
      return (r) => {
        const value = read(r);
        return typeof value === 'string' && pattern.test(value);
      };
    }
    case '$IN': {
      if (!Array.isArray(operand) || operand.length === 0) {
        throw new OctopusError(`Operator '$IN' on field '${field}' needs a non-empty array`);
      }
      const literals = new Set<Comparable>(operand.map((item) => literalFor(field, spec, op, item)));
      return (r) => {
        const value = read(r);
        return value !== null && literals.has(value);
      };
    }
    case '$RANGE': {
      if (!Array.isArray(operand) || operand.length !== 2) {
        throw new OctopusError(`Operator '$RANGE' on field '${field}' needs an array [low, high]`);
      }
      const low = literalFor(field, spec, op, operand[0]);
      const high = literalFor(field, spec, op, operand[1]);
      if (trackBounds && typeof low === 'number' && typeof high === 'number') {
        narrowFrom(bounds, Math.ceil(low / 1000));
        narrowTo(bounds, Math.floor(high / 1000));
      }
      return (r) => {
        const value = read(r);
        return value !== null && value >= low && value <= high;
      };
    }
  }
}

/**
 * Compiles one query node. `bounds` is non-null only while the node is part of the top-level
 * conjunction; below an $OR nothing may narrow the index scan.
 */
function compileNode(
  entity: EntityName,
  node: unknown,
  path: string,
  bounds: Bounds | null,
): RecordPredicate {
  if (!isPlainObject(node)) throw new OctopusError(`${path} must be an object`);
  const parts: RecordPredicate[] = [];
  for (const [name, operand] of Object.entries(node)) {
    if (name === '$AND' || name === '$OR') {
      if (!Array.isArray(operand) || operand.length === 0) {
        throw new OctopusError(`${path}.${name} must be a non-empty array`);
      }
      const children = operand.map((child, index) =>
        compileNode(entity, child, `${path}.${name}[${index}]`, name === '$AND' ? bounds : null),
      );
      parts.push(
        name === '$AND'
          ? (r) => children.every((child) => child(r))
          : (r) => children.some((child) => child(r)),
      );
    } else if (name.startsWith('$')) {
      throw new OctopusError(`Unknown operator '${name}' in ${path} (expected a field, $AND or $OR)`);
    } else {
      if (!fieldSpec(entity, name)) throw new OctopusError(`Unknown field '${name}' in Criteria.SearchQuery`);
      if (!isPlainObject(operand) || Object.keys(operand).length === 0) {
        throw new OctopusError(`Condition on field '${name}' must be an object like {"$EQ": value}`);
      }
      for (const [operator, value] of Object.entries(operand)) {
        parts.push(compileCondition(entity, name, operator, value, bounds));
      }
    }
  }
  if (parts.length === 0) return () => true;
  if (parts.length === 1) return parts[0] ?? (() => true);
  return (r) => parts.every((part) => part(r));
}

export function compileCriteria(entity: EntityName, criteria: unknown): CompiledCriteria {
  const everything: CompiledCriteria = {
    matches: () => true,
    modifiedFromSeconds: null,
    modifiedToSeconds: null,
    matchesEverything: true,
  };
  if (criteria === undefined || criteria === null) return everything;
  if (!isPlainObject(criteria)) throw new OctopusError('Criteria must be an object');
  for (const name of Object.keys(criteria)) {
    if (name !== 'SearchQuery') throw new OctopusError(`Unknown property '${name}' in Criteria`);
  }
  const query = criteria['SearchQuery'];
  if (query === undefined || (isPlainObject(query) && Object.keys(query).length === 0)) return everything;
  const bounds: Bounds = { fromSeconds: null, toSeconds: null };
  const matches = compileNode(entity, query, 'Criteria.SearchQuery', bounds);
  return {
    matches,
    modifiedFromSeconds: bounds.fromSeconds,
    modifiedToSeconds: bounds.toSeconds,
    matchesEverything: false,
  };
}

export type SortDirection = 'ASC' | 'DESC';
export interface SortField {
  readonly field: string;
  readonly direction: SortDirection;
  readonly read: FieldReader;
}

/** OrderBy.Fields plus the implicit final `Key ASC` tie-breaker. */
export function compileOrderBy(entity: EntityName, orderBy: unknown): SortField[] {
  const fields: SortField[] = [];
  if (orderBy !== undefined && orderBy !== null) {
    if (!isPlainObject(orderBy) || !Array.isArray(orderBy['Fields'])) {
      throw new OctopusError('OrderBy must be {"Fields": [{"<Field>": "ASC"|"DESC"}, …]}');
    }
    for (const [index, item] of (orderBy['Fields'] as unknown[]).entries()) {
      const entries = isPlainObject(item) ? Object.entries(item) : [];
      const first = entries[0];
      if (entries.length !== 1 || !first) {
        throw new OctopusError(`OrderBy.Fields[${index}] must have exactly one field`);
      }
      const [field, direction] = first;
      const spec = fieldSpec(entity, field);
      if (!spec) throw new OctopusError(`Unknown field '${field}' in OrderBy`);
      if (direction !== 'ASC' && direction !== 'DESC') {
        throw new OctopusError(`OrderBy direction for '${field}' must be "ASC" or "DESC"`);
      }
      if (fields.some((existing) => existing.field === field)) continue;
      fields.push({ field, direction, read: readerFor(field, spec) });
      // Keys are unique, so nothing after Key can change the order.
      if (field === 'Key') return fields;
    }
  }
  const keySpec = ENTITY_FIELDS[entity]['Key'];
  if (keySpec) fields.push({ field: 'Key', direction: 'ASC', read: readerFor('Key', keySpec) });
  return fields;
}

export function orderSignature(order: readonly SortField[]): string {
  return order.map((sort) => `${sort.field}:${sort.direction}`).join(',');
}

/** Scope.Fields → the fields to render (Key always first), or null for every field. */
export function compileScope(entity: EntityName, scope: unknown): string[] | null {
  if (scope === undefined || scope === null) return null;
  if (!isPlainObject(scope) || !isPlainObject(scope['Fields'])) {
    throw new OctopusError('Scope must be {"Fields": {"<Field>": 1, …}}');
  }
  const selected = ['Key'];
  for (const [field, flag] of Object.entries(scope['Fields'])) {
    if (flag !== 1 && flag !== true && flag !== 0 && flag !== false) {
      throw new OctopusError(`Scope.Fields.${field} must be 1`);
    }
    if (field === '*') {
      if (flag === 1 || flag === true) return null;
      continue;
    }
    if (!fieldSpec(entity, field)) throw new OctopusError(`Unknown field '${field}' in Scope.Fields`);
    if ((flag === 1 || flag === true) && !selected.includes(field)) selected.push(field);
  }
  return selected;
}
