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
 * these values decides whether they are valid.
 */
export function dateFormatProblem(format: string): string | undefined {
  if (format === MILLISECONDS_FORMAT) return undefined;
  return problemOf(() => compileJavaPattern(format), `date format ${JSON.stringify(format)}`, format, [
    `use a Java SimpleDateFormat pattern such as "yyyy-MM-dd'T'HH:mm:ssXXX", or "${MILLISECONDS_FORMAT}"`,
  ]);
}

export function zoneProblem(zone: string): string | undefined {
  // date-template's own message already lists the accepted zone forms.
  return problemOf(() => resolveZone(zone), `time zone ${JSON.stringify(zone)}`, zone, []);
}

export function urlTemplateProblem(url: string): string | undefined {
  return problemOf(() => compileUrlTemplate(url), `URL template`, url, [
    'placeholders are ${gmtDate:FORMAT}, ${date:FORMAT}, ${dateTimeZone:ZONE:FORMAT}, ${epoch}, ${epoch:ms|s|us} and ${date}',
  ]);
}

function problemOf(check: () => unknown, subject: string, text: string, hints: string[]): string | undefined {
  try {
    check();
    return undefined;
  } catch (error: unknown) {
    if (!(error instanceof DateTemplateError)) {
      // Not a verdict on the input but a fault in the checker; still report, never throw.
      return `${subject} could not be checked: ${error instanceof Error ? error.message : String(error)}`;
    }
    const where =
      error.position === undefined ? '' : ` (at position ${error.position}${pointAt(text, error.position)})`;
    return [`${subject} is invalid${where}: ${error.message}`, ...hints].join('; ');
  }
}

/** Shows the text around a position, e.g. ` near "ss'Q…"`, so the client sees what is wrong. */
function pointAt(text: string, position: number): string {
  if (position < 0 || position > text.length) return '';
  const excerpt = text.slice(position, position + 12);
  return excerpt === '' ? ', at the end' : `, near ${JSON.stringify(excerpt)}`;
}
