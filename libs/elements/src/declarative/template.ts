// `{{…}}` placeholders of a definition's request templates: `{{config.<key>}}` (instance configuration),
// `{{param.<name>}}` (a poller-URL parameter the resource declares), `{{token.<name>}}` (a value the
// OAuth token response carried, e.g. Salesforce's instance_url) and `{{pageSize}}`. Dates are not
// rendered here: `${date:…}` belongs to the poller URL, which the poller renders for each window.

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)(?:\.([A-Za-z0-9._-]+))?\s*\}\}/g;

export type PlaceholderSource = 'config' | 'param' | 'token' | 'pageSize';

export interface Placeholder {
  readonly source: PlaceholderSource;
  readonly name: string;
}

export class TemplateReferenceError extends Error {
  constructor(
    message: string,
    readonly placeholder: string,
  ) {
    super(message);
    this.name = 'TemplateReferenceError';
  }
}

/** Every placeholder in `template`; throws TemplateReferenceError for an unknown kind. */
export function placeholdersOf(template: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const [whole, kind, name] = match;
    if (kind === 'pageSize' && name === undefined) {
      found.push({ source: 'pageSize', name: '' });
    } else if ((kind === 'config' || kind === 'param' || kind === 'token') && name !== undefined) {
      found.push({ source: kind, name });
    } else {
      throw new TemplateReferenceError(
        `unknown placeholder ${whole}: use {{config.<key>}}, {{param.<name>}}, {{token.<name>}} or {{pageSize}}`,
        whole,
      );
    }
  }
  const unclosed = template.replace(PLACEHOLDER, '').indexOf('{{');
  if (unclosed !== -1)
    throw new TemplateReferenceError(
      `malformed placeholder at index ${unclosed}`,
      template.slice(unclosed, unclosed + 20),
    );
  return found;
}

export type PlaceholderValues = (placeholder: Placeholder) => string | undefined;

/**
 * Renders `template`; `encode` is applied to each value (URL paths: encodeURIComponent). A missing value
 * is an error naming the placeholder (the caller turns it into a configuration error).
 */
export function renderTemplate(
  template: string,
  values: PlaceholderValues,
  encode: (value: string) => string = (value) => value,
): string {
  return template.replace(PLACEHOLDER, (whole, kind: string, name: string | undefined) => {
    const placeholder: Placeholder =
      kind === 'pageSize'
        ? { source: 'pageSize', name: '' }
        : { source: kind as PlaceholderSource, name: name ?? '' };
    const value = values(placeholder);
    if (value === undefined) throw new TemplateReferenceError(`no value for ${whole}`, whole);
    return encode(value);
  });
}

/** A JSON body template rendered: strings rendered, a string that is exactly `{{pageSize}}` a number. */
export function renderJsonTemplate(template: unknown, values: PlaceholderValues): unknown {
  if (typeof template === 'string') {
    if (/^\{\{\s*pageSize\s*\}\}$/.test(template)) return Number(values({ source: 'pageSize', name: '' }));
    return renderTemplate(template, values);
  }
  if (Array.isArray(template)) return template.map((item) => renderJsonTemplate(item, values));
  if (typeof template === 'object' && template !== null) {
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => [key, renderJsonTemplate(value, values)]),
    );
  }
  return template;
}

/** Every string of a JSON template with its path (for load-time checks). */
export function templateStrings(
  template: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; text: string }[] {
  if (typeof template === 'string') return [{ path, text: template }];
  if (Array.isArray(template))
    return template.flatMap((item, index) => templateStrings(item, [...path, index]));
  if (typeof template === 'object' && template !== null)
    return Object.entries(template).flatMap(([key, value]) => templateStrings(value, [...path, key]));
  return [];
}

/** Reads a dotted path (`paging.next.after`) from a JSON value; `''` is the value itself. */
export function readPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = Object.hasOwn(current, segment) ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return current;
}
