import { isSecretConfigKey, maskConfiguration, SECRET_MASK } from './mask';

describe('masking', () => {
  it('recognises secret keys', () => {
    for (const key of [
      'oauth.api.secret',
      'event.notification.signature.key',
      'db.password',
      'refresh_token',
      'MySecret',
    ]) {
      expect(isSecretConfigKey(key)).toBe(true);
    }
    for (const key of ['oauth.api.key', 'event.notification.callback.url', 'maximizer.alias']) {
      expect(isSecretConfigKey(key)).toBe(false);
    }
  });

  it('masks secret values at any depth and keeps the rest', () => {
    const masked = maskConfiguration({
      'oauth.api.key': 'client-id',
      'oauth.api.secret': 's3cr3t',
      'event.notification.signature.key': 'sig',
      'custom.access_token': 42,
      'empty.password': '',
      nested: { 'inner.secret': 'x', list: [{ token: 'y' }] },
    });
    expect(masked).toEqual({
      'oauth.api.key': 'client-id',
      'oauth.api.secret': SECRET_MASK,
      'event.notification.signature.key': SECRET_MASK,
      'custom.access_token': SECRET_MASK,
      'empty.password': '',
      nested: { 'inner.secret': SECRET_MASK, list: [{ token: SECRET_MASK }] },
    });
  });
});
