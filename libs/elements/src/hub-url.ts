// Splitting a rendered poller URL (`/hubs/crm/contacts?where=…`) into hub, resource and decoded
// query parameters. The URL may arrive raw (spaces, quotes, `+` in ISO offsets) or percent-encoded
// by the template renderer, so this is not URLSearchParams: `+` stays `+` (a form-encoded space
// would break `+05:00`), malformed `%` sequences (LIKE '%foo') stay literal.

export interface ParsedHubUrl {
  readonly hub: string;
  readonly resource: string;
  /** Decoded query parameters by name (last one wins on duplicates, with a warning; a second `where` is an error). */
  readonly parameters: ReadonlyMap<string, string>;
  readonly warnings: string[];
}

export class HubUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubUrlError';
  }
}

/** Decode valid `%XX` (UTF-8) runs; anything else is kept literally. */
export function lenientPercentDecode(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * Split on `&` except inside a raw single-quoted literal, so an unencoded `where=Name='A&B'`
 * keeps its ampersand. (An encoded URL has no raw quotes or ampersands in values.)
 */
function splitQuery(query: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inLiteral = false;
  for (const char of query) {
    if (char === "'") inLiteral = !inLiteral;
    if (char === '&' && !inLiteral) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

export function parseHubUrl(url: string): ParsedHubUrl {
  const warnings: string[] = [];
  const trimmedStart = url.trimStart();
  const queryStart = trimmedStart.indexOf('?');
  const rawPath = queryStart === -1 ? trimmedStart : trimmedStart.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : trimmedStart.slice(queryStart + 1);

  // Accept `/hubs/crm/x`, `hubs/crm/x`, `/elements/api-v2/hubs/crm/x` and absolute URLs.
  const path = lenientPercentDecode(rawPath.trim()).replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const match = /^\/?(?:elements\/api-v2\/)?hubs\/([^/]+)\/([^/]+)\/?$/.exec(path.replace(/^\/+/, '/'));
  if (match === null || match[1] === undefined || match[2] === undefined) {
    throw new HubUrlError(
      `Poller URL path ${JSON.stringify(path)} is not a hub resource; expected /hubs/{hub}/{resource}`,
    );
  }

  const parameters = new Map<string, string>();
  for (const part of splitQuery(rawQuery)) {
    if (part.trim() === '') continue;
    const equals = part.indexOf('=');
    const name = lenientPercentDecode(equals === -1 ? part : part.slice(0, equals)).trim();
    const value = equals === -1 ? '' : lenientPercentDecode(part.slice(equals + 1));
    if (parameters.has(name) && name === 'where') {
      // Two filters: which one the author meant is anybody's guess.
      throw new HubUrlError(`Query parameter 'where' given more than once`);
    }
    if (parameters.has(name))
      warnings.push(`Query parameter '${name}' given more than once; the last one is used`);
    parameters.set(name, value);
  }
  return { hub: match[1], resource: match[2], parameters, warnings };
}
