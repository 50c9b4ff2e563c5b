import { DateTemplateError } from './errors';

export function parseRecordDate(value: unknown, format: string, zone?: string): Date {
  throw new DateTemplateError('UNPARSEABLE_DATE', `not implemented yet: ${String(value)} ${format} ${zone ?? ''}`);
}
