// Edits of one resource inside `event.poller.configuration`, kept as plain JSON so that the code view
// and the per-resource editor are two views of the same object, and unknown keys survive both.

export type PollerConfiguration = Record<string, unknown>;
export type DateKind = 'updated' | 'created';
export type DatePart = 'Field' | 'Format' | 'Timezone';

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * The key a date setting is stored under. The seed spells it `updatedAtField`, the rest of the Open
 * Connectors docs `updatedDateField`; both are accepted, so keep whichever the user (or default) used.
 */
export function dateKey(dates: Record<string, unknown>, kind: DateKind, part: DatePart): string {
  const documented = `${kind}Date${part}`;
  return documented in dates ? documented : `${kind}At${part}`;
}

export function resourceConfig(
  configuration: PollerConfiguration,
  resource: string,
): Record<string, unknown> {
  return asObject(configuration[resource]);
}

export function datesOf(config: Record<string, unknown>): Record<string, unknown> {
  return asObject(config['datesConfiguration']);
}

export function stringValue(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** Sets (or, for '', removes) a top-level key of one resource. */
export function withResourceValue(
  configuration: PollerConfiguration,
  resource: string,
  key: string,
  value: string,
): PollerConfiguration {
  const next = { ...resourceConfig(configuration, resource) };
  if (value === '') delete next[key];
  else next[key] = value;
  return { ...configuration, [resource]: next };
}

/** Sets (or removes) one date setting; an emptied datesConfiguration is dropped so the default applies. */
export function withDateValue(
  configuration: PollerConfiguration,
  resource: string,
  kind: DateKind,
  part: DatePart,
  value: string,
): PollerConfiguration {
  const config = { ...resourceConfig(configuration, resource) };
  const dates = { ...datesOf(config) };
  const key = dateKey(dates, kind, part);
  if (value === '') delete dates[key];
  else dates[key] = value;
  if (Object.keys(dates).length === 0) delete config['datesConfiguration'];
  else config['datesConfiguration'] = dates;
  return { ...configuration, [resource]: config };
}

/** Adds resources with their defaults (a copy, so edits never touch the catalog) or removes them. */
export function withResources(
  configuration: PollerConfiguration,
  selected: readonly string[],
  defaults: Readonly<Record<string, Record<string, unknown>>>,
): PollerConfiguration {
  const next: PollerConfiguration = {};
  for (const name of selected) {
    next[name] = name in configuration ? configuration[name] : structuredClone(defaults[name] ?? {});
  }
  return next;
}

export function formatPollerConfiguration(configuration: PollerConfiguration): string {
  return JSON.stringify(configuration, null, 2);
}

/** `deletions` of one resource (Pollcast's own key, off when absent): the editor's view of it. */
export type DeletionsMode = 'off' | 'reconcile' | 'flag';

export function deletionsOf(config: Record<string, unknown>): Record<string, unknown> {
  return asObject(config['deletions']);
}

export function deletionsMode(config: Record<string, unknown>): DeletionsMode {
  const mode = deletionsOf(config)['mode'];
  return mode === 'reconcile' || mode === 'flag' ? mode : 'off';
}

/** Switches the mode: off removes the key (an Open Connectors body again); other keys of the old mode go. */
export function withDeletionsMode(
  configuration: PollerConfiguration,
  resource: string,
  mode: DeletionsMode,
): PollerConfiguration {
  const config = { ...resourceConfig(configuration, resource) };
  if (mode === 'off') delete config['deletions'];
  else if (deletionsMode(config) !== mode) config['deletions'] = { mode };
  return { ...configuration, [resource]: config };
}

/** Sets (or, for '', removes) one key of `deletions`. The flag's value is a JSON scalar when it reads as
 * one (`true`, `1`, `null`), else the text as typed. */
export function withDeletionsValue(
  configuration: PollerConfiguration,
  resource: string,
  key: 'intervalMinutes' | 'field' | 'value',
  value: string,
): PollerConfiguration {
  const config = { ...resourceConfig(configuration, resource) };
  const deletions = { ...deletionsOf(config) };
  if (value === '') delete deletions[key];
  else deletions[key] = key === 'value' ? flagValue(value) : value;
  config['deletions'] = deletions;
  return { ...configuration, [resource]: config };
}

function flagValue(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed === null || ['boolean', 'number'].includes(typeof parsed) ? parsed : text;
  } catch {
    return text;
  }
}

/** The flag value as the editor shows it (JSON for non-strings, so `true` and `"true"` differ). */
export function flagValueText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
