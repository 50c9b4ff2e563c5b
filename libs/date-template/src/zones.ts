import { DateTemplateError } from './errors';

export function resolveZone(zone: string): string {
  throw new DateTemplateError('UNKNOWN_ZONE', `not implemented yet: ${zone}`);
}
