import { z } from 'zod';
import type { Deletions } from '@pollcast/contracts';
import { describeValue, isPlainObject } from './issues';
import { isUnset } from './scalars';

/** Reconciliation every day unless the resource says otherwise. */
export const DEFAULT_RECONCILE_INTERVAL_MINUTES = 1440;
const MAX_RECONCILE_INTERVAL_MINUTES = 43_200; // 30 days
const MAX_FLAG_FIELD_LENGTH = 200;
const MAX_FLAG_VALUE_LENGTH = 200;

const MODES = ['off', 'reconcile', 'flag', 'deletedSince'] as const;

/**
 * `deletions` of one resource (Pollcast's own key; Open Connectors has none, and without it a body
 * behaves exactly as there):
 * - `{"mode": "reconcile", "intervalMinutes": 1440}`: list every id now and then, diff with the known ones;
 * - `{"mode": "flag", "field": "Deleted", "value": true}`: a record whose field equals the value is deleted;
 * - `{"mode": "off"}` or absent: no deletion detection.
 * `deletedSince` needs an element that declares a deleted-records endpoint; none does yet (Maximizer's
 * Octopus API has none), so it is refused naming the alternatives.
 */
export const deletionsConfigSchema = z
  .unknown()
  .transform((value, ctx): Deletions | null | undefined => {
    if (value === undefined || value === null) return undefined;
    if (!isPlainObject(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be an object such as {"mode": "reconcile", "intervalMinutes": 1440}, got ${describeValue(value)}`,
      });
      return z.NEVER;
    }
    const allowed: Record<string, readonly string[]> = {
      off: ['mode'],
      reconcile: ['mode', 'intervalMinutes'],
      flag: ['mode', 'field', 'value'],
      deletedSince: ['mode'],
    };
    const mode = value['mode'];
    if (typeof mode !== 'string' || !(MODES as readonly string[]).includes(mode)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message: `must be one of ${MODES.map((entry) => `"${entry}"`).join(', ')}, got ${describeValue(mode)}`,
      });
      return z.NEVER;
    }
    for (const key of Object.keys(value)) {
      if (!(allowed[mode] ?? []).includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is not a key of mode "${mode}"; allowed keys: ${(allowed[mode] ?? []).join(', ')}`,
        });
      }
    }
    switch (mode) {
      case 'off':
        return null;
      case 'deletedSince':
        ctx.addIssue({
          code: 'custom',
          path: ['mode'],
          message:
            'is "deletedSince", which needs an element that declares a deleted-records endpoint, and this element declares none: use "reconcile" (list every id) or "flag" (a soft-delete field)',
        });
        return z.NEVER;
      case 'reconcile': {
        const interval = value['intervalMinutes'];
        let minutes = DEFAULT_RECONCILE_INTERVAL_MINUTES;
        if (!isUnset(interval)) {
          const parsed = typeof interval === 'string' ? Number(interval.trim()) : interval;
          if (
            typeof parsed !== 'number' ||
            !Number.isInteger(parsed) ||
            parsed < 1 ||
            parsed > MAX_RECONCILE_INTERVAL_MINUTES
          ) {
            ctx.addIssue({
              code: 'custom',
              path: ['intervalMinutes'],
              message: `must be a whole number of minutes from 1 to ${MAX_RECONCILE_INTERVAL_MINUTES} (e.g. 1440), got ${describeValue(interval)}`,
            });
            return z.NEVER;
          }
          minutes = parsed;
        }
        return { mode: 'reconcile', intervalMinutes: minutes };
      }
      case 'flag': {
        const field = value['field'];
        const flagValue = value['value'];
        let ok = true;
        if (typeof field !== 'string' || field.trim() === '' || field.length > MAX_FLAG_FIELD_LENGTH) {
          ctx.addIssue({
            code: 'custom',
            path: ['field'],
            message: `must be the (dotted) record field that marks a deleted record, at most ${MAX_FLAG_FIELD_LENGTH} characters, got ${describeValue(field)}`,
          });
          ok = false;
        }
        const scalar =
          flagValue === null ||
          typeof flagValue === 'boolean' ||
          (typeof flagValue === 'number' && Number.isFinite(flagValue)) ||
          (typeof flagValue === 'string' && flagValue.length <= MAX_FLAG_VALUE_LENGTH);
        if (!scalar) {
          ctx.addIssue({
            code: 'custom',
            path: ['value'],
            message: `must be the JSON string (at most ${MAX_FLAG_VALUE_LENGTH} characters), number, boolean or null that marks a deleted record, got ${describeValue(flagValue)}`,
          });
          ok = false;
        }
        if (!ok || typeof field !== 'string') return z.NEVER;
        return { mode: 'flag', field, value: flagValue as string | number | boolean | null };
      }
    }
    return z.NEVER;
  })
  .optional();
