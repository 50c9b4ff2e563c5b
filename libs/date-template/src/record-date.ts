import { DateTemplateError } from './errors';
import { CompiledJavaPattern } from './java-pattern';
import { GMT, zoneFor } from './zones';

const MAX_CACHED_PATTERNS = 256;
const compiledPatterns = new Map<string, CompiledJavaPattern>();

function compiled(pattern: string): CompiledJavaPattern {
  let format = compiledPatterns.get(pattern);
  if (!format) {
    format = new CompiledJavaPattern(pattern, {});
    if (compiledPatterns.size >= MAX_CACHED_PATTERNS) compiledPatterns.clear();
    compiledPatterns.set(pattern, format);
  }
  return format;
}

const INTEGER = /^-?\d{1,16}$/;

function fromMilliseconds(value: unknown): Date {
  const epochMs =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && INTEGER.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(epochMs) || Math.abs(epochMs) > 8.64e15) {
    throw new DateTemplateError(
      'UNPARSEABLE_DATE',
      `Cannot read ${JSON.stringify(value)} as a date in format "milliseconds": expected whole epoch milliseconds`,
    );
  }
  return new Date(epochMs);
}

/**
 * Reads a record's date field as configured in datesConfiguration: `format` is a Java pattern or the
 * literal `milliseconds` (a number or numeric string); `zone` (default GMT) applies when the text
 * carries no offset of its own.
 */
export function parseRecordDate(value: unknown, format: string, zone?: string): Date {
  if (typeof format !== 'string' || format === '') {
    throw new DateTemplateError(
      'INVALID_ARGUMENT',
      `A date format must be a Java pattern or "milliseconds", got ${JSON.stringify(format)}`,
    );
  }
  if (value === null || value === undefined) {
    throw new DateTemplateError(
      'INVALID_ARGUMENT',
      `The record has no date to parse with "${format}" (got ${String(value)})`,
    );
  }
  if (format.toLowerCase() === 'milliseconds') return fromMilliseconds(value);
  if (typeof value !== 'string') {
    throw new DateTemplateError(
      'UNPARSEABLE_DATE',
      `Cannot parse ${JSON.stringify(value)} with pattern "${format}": expected a string (use format "milliseconds" for epoch numbers)`,
    );
  }
  const resolvedZone = zone === undefined ? GMT : zoneFor(zone);
  return compiled(format).parseInZone(value, resolvedZone);
}
