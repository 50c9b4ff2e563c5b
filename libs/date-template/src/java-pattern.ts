import { DateTemplateError } from './errors';

export interface JavaDateFormat {
  readonly pattern: string;
  format(instant: Date, zone?: string): string;
  parse(text: string, zone?: string): Date;
}

export function compileJavaPattern(pattern: string): JavaDateFormat {
  throw new DateTemplateError('INVALID_ARGUMENT', `not implemented yet: ${pattern}`);
}
