import {
  maskCanonicalConfig,
  parseInstanceBody,
  type CanonicalInstanceConfig,
} from '@pollcast/config-schema';
import { instanceSnapshotSchema } from '@pollcast/contracts';
import { getElement } from '@pollcast/elements';
import {
  configurationEntries,
  configurationEntryId,
  resolveConfigurationKey,
  toInstanceResponse,
  toInstanceSnapshot,
  type StoredInstance,
} from './instance-mapper';

function canonical(configuration: Record<string, unknown>): CanonicalInstanceConfig {
  const result = parseInstanceBody(
    { element: { key: 'maximizer' }, name: 'Acme CRM', tags: ['crm'], configuration },
    { resolveElement: getElement, mode: 'create' },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

function stored(config: CanonicalInstanceConfig, overrides: Partial<StoredInstance> = {}): StoredInstance {
  return {
    id: '42',
    organizationId: '7',
    userId: '9',
    userEmail: 'ada@example.com',
    elementKey: 'maximizer',
    name: config.name,
    tags: config.tags,
    disabled: false,
    valid: true,
    publicConfig: maskCanonicalConfig(config),
    version: 3,
    createdAt: new Date('2019-01-15T16:54:00Z'),
    updatedAt: new Date('2019-01-15T17:00:00Z'),
    ...overrides,
  };
}

const secrets = {
  'oauth.api.key': 'client-id',
  'oauth.api.secret': 'client-secret-value',
  'oauth.callback.url': 'https://app.example/cb',
  'event.notification.enabled': 'true',
  'event.notification.callback.url': 'https://app.example/events',
  'event.notification.signature.key': 'signature-key-value',
  'maximizer.url': 'https://crm.example',
  'custom.password': 'password-value',
};

describe('instance mapping', () => {
  const config = canonical(secrets);

  it('answers in Open Connectors shape with numeric ids and masked secrets', () => {
    const response = toInstanceResponse(
      stored(config),
      { id: 1, key: 'maximizer', name: 'Maximizer', hub: 'crm' },
      'tok',
    );
    expect(response).toMatchObject({
      id: 42,
      name: 'Acme CRM',
      token: 'tok',
      createdDate: '2019-01-15T16:54:00.000Z',
      updatedDate: '2019-01-15T17:00:00.000Z',
      element: { id: 1, key: 'maximizer' },
      tags: ['crm'],
      eventsEnabled: true,
      valid: true,
      disabled: false,
      user: { id: 9, emailAddress: 'ada@example.com' },
      version: 3,
    });
    expect(response.configuration).toMatchObject({
      'oauth.api.key': 'client-id',
      'oauth.api.secret': '********',
      'event.notification.signature.key': '********',
      'custom.password': '********',
      'maximizer.datacenter': 'caw',
    });
    const text = JSON.stringify(response);
    for (const secret of ['client-secret-value', 'signature-key-value', 'password-value'])
      expect(text).not.toContain(secret);
  });

  it('builds a valid snapshot without secrets', () => {
    const snapshot = toInstanceSnapshot(stored(config, { disabled: true, valid: false }));
    expect(instanceSnapshotSchema.safeParse(snapshot).success).toBe(true);
    expect(snapshot).toMatchObject({
      id: '42',
      organizationId: '7',
      enabled: false,
      valid: false,
      version: 3,
      elementConfig: { 'maximizer.url': 'https://crm.example', 'maximizer.datacenter': 'caw' },
      events: {
        enabled: true,
        hasSignatureKey: true,
        callbackUrl: 'https://app.example/events',
        refreshIntervalMinutes: 15,
      },
    });
    expect(snapshot.elementConfig).not.toHaveProperty('custom.password');
    expect(snapshot.events.resources).toHaveLength(4);
    const text = JSON.stringify(snapshot);
    for (const secret of ['client-secret-value', 'signature-key-value', 'password-value', '********']) {
      expect(text).not.toContain(secret);
    }
  });

  it('numbers configuration entries stably and finds them by id or key', () => {
    const entries = configurationEntries(maskCanonicalConfig(config));
    const callback = entries.find((entry) => entry.key === 'event.notification.callback.url');
    expect(callback?.id).toBe(configurationEntryId('event.notification.callback.url'));
    expect(Number.isSafeInteger(callback?.id)).toBe(true);
    expect(entries.find((entry) => entry.key === 'oauth.api.secret')?.propertyValue).toBe('********');
    const publicConfig = maskCanonicalConfig(config);
    expect(resolveConfigurationKey(publicConfig, String(callback?.id))).toBe(
      'event.notification.callback.url',
    );
    expect(resolveConfigurationKey(publicConfig, 'oauth.api.key')).toBe('oauth.api.key');
    expect(resolveConfigurationKey(publicConfig, '123')).toBeUndefined();
  });
});
