import { DateTemplateError } from './errors';
import { CompiledJavaPattern } from './java-pattern';
import { GMT, zoneFor, type Zone } from './zones';

export interface UrlTemplate {
  readonly source: string;
  /** Each `${…}` in the source; `end` is exclusive. */
  readonly placeholders: ReadonlyArray<{
    readonly text: string;
    readonly start: number;
    readonly end: number;
  }>;
  /** The URL for a poll whose last poll time is `at`; `zone` is the server zone for `${date:…}` (default GMT). */
  render(at: Date, options?: { zone?: string }): string;
}

/** Renders one placeholder's value (not yet URL-encoded). */
type ValueRenderer = (epochMs: number, serverZone: Zone) => string;

type Segment = string | { readonly render: ValueRenderer; readonly encode: (value: string) => string };

/** `GMT+05:30:`, `-8:00:` — a zone that itself contains a colon, before the pattern's colon. */
const ZONE_WITH_COLON = /^((?:GMT|UTC)?[+-]\d{1,2}:\d{2}):/i;

function malformed(url: string, start: number, why: string): DateTemplateError {
  return new DateTemplateError(
    'MALFORMED_PLACEHOLDER',
    `Malformed placeholder at index ${start} of "${url}": ${why}. Use \${date:FMT}, \${gmtDate:FMT}, ` +
      `\${dateTimeZone:ZONE:FMT}, \${epoch}, \${epoch:s|ms|us} or \${date}`,
    start,
  );
}

/** Re-throws a pattern or zone error with its position moved into the URL. */
function withinUrl<T>(url: string, offset: number, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (!(error instanceof DateTemplateError)) throw error;
    const position = offset + (error.position ?? 0);
    throw new DateTemplateError(error.code, `${error.message} (in "${url}" at index ${position})`, position);
  }
}

function patternRenderer(format: CompiledJavaPattern, fixedZone: Zone | undefined): ValueRenderer {
  return fixedZone
    ? (epochMs) => format.formatEpoch(epochMs, fixedZone)
    : (epochMs, serverZone) => format.formatEpoch(epochMs, serverZone);
}

function compilePlaceholder(url: string, start: number, body: string): ValueRenderer {
  const bodyStart = start + 2;
  const patternAt = (prefixLength: number, zone: Zone | undefined): ValueRenderer => {
    const pattern = body.slice(prefixLength);
    if (pattern === '') throw malformed(url, start, 'the date pattern is empty');
    const format = withinUrl(url, bodyStart + prefixLength, () => new CompiledJavaPattern(pattern, {}));
    return patternRenderer(format, zone);
  };

  if (body === 'date' || body === 'epoch' || body === 'epoch:ms') return (epochMs) => String(epochMs);
  if (body === 'epoch:s') return (epochMs) => String(Math.floor(epochMs / 1000));
  if (body === 'epoch:us') return (epochMs) => String(epochMs * 1000);
  if (body.startsWith('epoch:'))
    throw malformed(url, start, `epoch unit "${body.slice(6)}" is not s, ms or us`);
  if (body.startsWith('date:')) return patternAt(5, undefined);
  if (body.startsWith('gmtDate:')) return patternAt(8, GMT);
  if (body.startsWith('dateTimeZone:')) {
    const rest = body.slice(13);
    const zoneName = ZONE_WITH_COLON.exec(rest)?.[1] ?? rest.slice(0, Math.max(rest.indexOf(':'), 0));
    if (zoneName === '' || rest.indexOf(':') < 0) {
      throw malformed(url, start, 'dateTimeZone needs a zone and a pattern: ${dateTimeZone:ZONE:FMT}');
    }
    const zone = withinUrl(url, start, () => zoneFor(zoneName));
    return patternAt(13 + zoneName.length + 1, zone);
  }
  throw malformed(url, start, `unknown placeholder "\${${body}}"`);
}

class CompiledUrlTemplate implements UrlTemplate {
  constructor(
    readonly source: string,
    readonly placeholders: ReadonlyArray<{
      readonly text: string;
      readonly start: number;
      readonly end: number;
    }>,
    private readonly segments: readonly Segment[],
  ) {}

  render(at: Date, options?: { zone?: string }): string {
    const epochMs = at instanceof Date ? at.getTime() : NaN;
    if (!Number.isFinite(epochMs)) {
      throw new DateTemplateError(
        'INVALID_ARGUMENT',
        `Cannot render "${this.source}" at ${String(at)}: not a valid Date`,
      );
    }
    const serverZone = options?.zone === undefined ? GMT : zoneFor(options.zone);
    let url = '';
    for (const segment of this.segments) {
      url += typeof segment === 'string' ? segment : segment.encode(segment.render(epochMs, serverZone));
    }
    return url;
  }
}

/**
 * Compiles a poller URL with date placeholders. The first `}` ends a placeholder (quotes inside are
 * the pattern's own). Values in the query (after `?`) are encoded like encodeURIComponent; in the
 * path like encodeURI; the rest of the URL is left exactly as written.
 */
export function compileUrlTemplate(url: string): UrlTemplate {
  if (typeof url !== 'string') {
    throw new DateTemplateError('INVALID_ARGUMENT', `A URL template must be a string, got ${typeof url}`);
  }
  const placeholders: { text: string; start: number; end: number }[] = [];
  const segments: Segment[] = [];
  let cursor = 0;
  for (;;) {
    const start = url.indexOf('${', cursor);
    if (start < 0) break;
    const close = url.indexOf('}', start + 2);
    if (close < 0) throw malformed(url, start, 'no closing "}"');
    const body = url.slice(start + 2, close);
    const nested = body.indexOf('${');
    if (nested >= 0)
      throw malformed(url, start, `"\${" at index ${start + 2 + nested} before this one was closed`);
    const render = compilePlaceholder(url, start, body);
    const inQuery = url.lastIndexOf('?', start) >= 0 || url.lastIndexOf('#', start) >= 0;
    if (start > cursor) segments.push(url.slice(cursor, start));
    segments.push({ render, encode: inQuery ? encodeURIComponent : encodeURI });
    placeholders.push({ text: url.slice(start, close + 1), start, end: close + 1 });
    cursor = close + 1;
  }
  if (cursor < url.length) segments.push(url.slice(cursor));
  return new CompiledUrlTemplate(url, placeholders, segments);
}
