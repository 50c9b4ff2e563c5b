import { DateTemplateError } from './errors';

export interface UrlTemplate {
  readonly source: string;
  readonly placeholders: ReadonlyArray<{ readonly text: string; readonly start: number; readonly end: number }>;
  render(at: Date, options?: { zone?: string }): string;
}

export function compileUrlTemplate(url: string): UrlTemplate {
  throw new DateTemplateError('MALFORMED_PLACEHOLDER', `not implemented yet: ${url}`, 0);
}
