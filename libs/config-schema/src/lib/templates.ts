import {
  DateTemplateError,
  compileJavaPattern,
  compileUrlTemplate,
  resolveZone,
} from '@pollcast/date-template';

/** The non-pattern date format Open Connectors accepts: the field holds epoch milliseconds. */
export const MILLISECONDS_FORMAT = 'milliseconds';

/**
 * Each check returns a message a person can act on, or undefined when the value is fine. The
 * checking itself is `@pollcast/date-template`'s: the same code that will later format and parse with
 * these values decides whether they are valid, and its messages already name the bad letter,
 * placeholder or zone, the index, and the accepted forms.
 */
export function dateFormatProblem(format: string): string | undefined {
  if (format === MILLISECONDS_FORMAT) return undefined;
  return problemOf(
    () => compileJavaPattern(format),
    `date format ${JSON.stringify(format)}`,
    `or use "${MILLISECONDS_FORMAT}" for epoch milliseconds`,
  );
}

export function zoneProblem(zone: string): string | undefined {
  return problemOf(() => resolveZone(zone), `time zone ${JSON.stringify(zone)}`);
}

export function urlTemplateProblem(url: string): string | undefined {
  return problemOf(() => compileUrlTemplate(url), 'URL template');
}

function problemOf(check: () => unknown, subject: string, hint?: string): string | undefined {
  try {
    check();
    return undefined;
  } catch (error: unknown) {
    if (!(error instanceof DateTemplateError)) {
      // Not a verdict on the input but a fault in the checker; still report, never throw.
      return `${subject} could not be checked: ${error instanceof Error ? error.message : String(error)}`;
    }
    const mentionsPosition = /\b(index|position) \d+/.test(error.message);
    const where = error.position === undefined || mentionsPosition ? '' : ` (at position ${error.position})`;
    return `${subject} is invalid${where}: ${error.message}${hint === undefined ? '' : `; ${hint}`}`;
  }
}
