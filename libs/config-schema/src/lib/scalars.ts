import { z } from 'zod';
import { describeValue } from './issues';

/**
 * Open Connectors' configuration values are strings on the wire (its UI sends `""` for every untouched
 * field) while API clients send JSON booleans and numbers. These schemas accept both and treat absent,
 * `null` and `""` as "not given", so the caller's default applies.
 */
export function isUnset(value: unknown): value is undefined | null | '' {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** `true`, `false`, `"true"`, `"false"` (any case, surrounding blanks ignored); unset → undefined. */
export const flagSchema = z
  .unknown()
  .transform((value, ctx): boolean | undefined => {
    if (isUnset(value)) return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string') {
      const word = value.trim().toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
    }
    ctx.addIssue({
      code: 'custom',
      message: `must be true or false (or "true"/"false"), got ${describeValue(value)}`,
    });
    return z.NEVER;
  })
  .optional();

export interface WholeNumberBounds {
  min: number;
  max: number;
  /** Plural unit for messages, e.g. `minutes`. */
  unit: string;
  example: string;
}

/** Decimal digits only: `1e3`, `0x10` and `Infinity` are rejected though `Number()` would take them. */
const decimalPattern = /^[+-]?\d+(\.\d+)?$/;

/** An integer within bounds, as a JSON number or a decimal string (`"15"`); unset → undefined. */
export function wholeNumberSchema(bounds: WholeNumberBounds) {
  const expectation = `a whole number of ${bounds.unit} from ${bounds.min} to ${bounds.max} (e.g. ${bounds.example})`;
  return z
    .unknown()
    .transform((value, ctx): number | undefined => {
      if (isUnset(value)) return undefined;
      let amount: number | undefined;
      if (typeof value === 'number' && Number.isFinite(value)) amount = value;
      else if (typeof value === 'string' && decimalPattern.test(value.trim())) amount = Number(value.trim());
      if (amount === undefined) {
        ctx.addIssue({ code: 'custom', message: `must be ${expectation}, got ${describeValue(value)}` });
        return z.NEVER;
      }
      if (!Number.isInteger(amount)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a whole number of ${bounds.unit}, got ${amount}`,
        });
        return z.NEVER;
      }
      if (amount < bounds.min || amount > bounds.max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be from ${bounds.min} to ${bounds.max} ${bounds.unit}, got ${amount}`,
        });
        return z.NEVER;
      }
      return amount;
    })
    .optional();
}

/** One year: polling less often than that is certainly a unit mistake (seconds for minutes). */
export const MAX_REFRESH_INTERVAL_MINUTES = 525_600;

export const refreshIntervalSchema = wholeNumberSchema({
  min: 1,
  max: MAX_REFRESH_INTERVAL_MINUTES,
  unit: 'minutes',
  example: '"15"',
});

/** A scalar configuration value as a string (numbers and booleans stringified); unset → undefined. */
export const textSchema = z
  .unknown()
  .transform((value, ctx): string | undefined => {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    ctx.addIssue({
      code: 'custom',
      message: `must be a string, number or boolean, got ${describeValue(value)}`,
    });
    return z.NEVER;
  })
  .optional();

/** A non-empty string that must be given (used for names of fields and paths). */
export const requiredStringSchema = z
  .unknown()
  .transform((value, ctx): string | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    ctx.addIssue({ code: 'custom', message: `must be a non-empty string, got ${describeValue(value)}` });
    return z.NEVER;
  })
  .optional();

/**
 * An absolute http(s) URL (surrounding blanks dropped), without credentials (`user:pass@` would be
 * stored, echoed and published in snapshots). Whether its host is allowed (private addresses) is the
 * outbound guard's call: instance-service checks the URL when it is set, the dispatcher when it dials.
 */
export const httpUrlSchema = z
  .unknown()
  .transform((value, ctx): string | undefined => {
    if (isUnset(value)) return undefined;
    const problem = httpUrlProblem(value);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return (value as string).trim();
  })
  .optional();

function httpUrlProblem(value: unknown): string | undefined {
  const expectation = 'must be an absolute http(s) URL such as "https://example.com/events"';
  if (typeof value !== 'string') return `${expectation}, got ${describeValue(value)}`;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return `${expectation}, got ${describeValue(value)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${expectation}; the scheme "${url.protocol.replace(/:$/, '')}" is not allowed`;
  }
  if (url.hostname === '') return `${expectation}; the host is missing`;
  // The value is not quoted: it holds a password.
  if (url.username !== '' || url.password !== '') {
    return 'must not contain credentials (user:password@); give the receiver a signature key instead';
  }
  return undefined;
}
