export type DateTemplateErrorCode =
  | 'UNKNOWN_PATTERN_LETTER'
  | 'UNTERMINATED_QUOTE'
  | 'UNKNOWN_ZONE'
  | 'MALFORMED_PLACEHOLDER'
  | 'UNPARSEABLE_DATE'
  | 'INVALID_ARGUMENT';

/** The one error this library throws; `position` is an index into the pattern, URL or value where it applies. */
export class DateTemplateError extends Error {
  readonly code: DateTemplateErrorCode;
  readonly position?: number;

  constructor(code: DateTemplateErrorCode, message: string, position?: number) {
    super(message);
    this.name = 'DateTemplateError';
    this.code = code;
    if (position !== undefined) this.position = position;
  }
}
