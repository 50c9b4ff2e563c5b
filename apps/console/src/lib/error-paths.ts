// Server validation errors name fields by path (`configuration.event.poller.configuration.contacts.url`);
// the form names its inputs by field ids. This maps one onto the other, so each message can be shown
// beside the input it is about.

/** Top-level configuration keys the create form has an input for. Keys contain dots, so match whole keys. */
export const CONFIG_FIELD_KEYS = [
  'oauth.api.key',
  'oauth.api.secret',
  'oauth.callback.url',
  'maximizer.url',
  'maximizer.alias',
  'event.notification.enabled',
  'event.notification.callback.url',
  'event.notification.signature.key',
  'event.poller.refresh_interval',
  'event.poller.configuration',
] as const;

export type ConfigFieldKey = (typeof CONFIG_FIELD_KEYS)[number];

export type FieldTarget =
  | { kind: 'name' }
  | { kind: 'tags' }
  | { kind: 'code' }
  | { kind: 'config'; key: ConfigFieldKey }
  /** Inside one resource of the poller configuration; `field` is the rest of the path ('' = the resource itself). */
  | { kind: 'resource'; resource: string; field: string }
  | { kind: 'form' };

const POLLER_PREFIX = 'configuration.event.poller.configuration.';

/**
 * @param resourceNames the resources currently in the poller configuration; resource names may contain
 *   dots, so the longest name that prefixes the rest of the path wins.
 */
export function targetOfPath(path: string, resourceNames: readonly string[]): FieldTarget {
  if (path === 'name') return { kind: 'name' };
  if (path === 'tags' || path.startsWith('tags[') || path.startsWith('tags.')) return { kind: 'tags' };
  if (path.startsWith('providerData')) return { kind: 'code' };
  if (path.startsWith(POLLER_PREFIX)) {
    const rest = path.slice(POLLER_PREFIX.length);
    const resource = [...resourceNames]
      .sort((a, b) => b.length - a.length)
      .find((name) => rest === name || rest.startsWith(`${name}.`));
    if (resource !== undefined) return { kind: 'resource', resource, field: rest.slice(resource.length + 1) };
    return { kind: 'config', key: 'event.poller.configuration' };
  }
  if (path.startsWith('configuration.')) {
    const rest = path.slice('configuration.'.length);
    const key = CONFIG_FIELD_KEYS.find((candidate) => rest === candidate || rest.startsWith(`${candidate}.`));
    if (key !== undefined) return { kind: 'config', key };
  }
  return { kind: 'form' };
}

/** The DOM id of the input a target is shown beside (the same ids the form renders). */
export function fieldIdOf(target: FieldTarget): string {
  switch (target.kind) {
    case 'name':
      return 'instance-name';
    case 'tags':
      return 'instance-tags';
    case 'code':
      return 'oauth-connect';
    case 'config':
      return `config-${target.key.replace(/\./g, '-')}`;
    case 'resource':
      return resourceFieldId(target.resource, target.field);
    case 'form':
      return 'create-form-errors';
  }
}

/** Ids of per-resource inputs; resource names are free text, so they are encoded to stay valid ids. */
export function resourceFieldId(resource: string, field: string): string {
  const safe = (value: string) =>
    value.replace(/[^A-Za-z0-9_-]/g, (char) => `_${char.charCodeAt(0).toString(16)}`);
  return field === '' ? `resource-${safe(resource)}` : `resource-${safe(resource)}--${safe(field)}`;
}
