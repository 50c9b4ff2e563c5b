import { maskUrlCredentials, isSecretConfigKey, maskConfiguration, SECRET_MASK } from './mask';

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

  it('masks credentials in URLs stored before they were refused (responses, snapshots)', () => {
    expect(maskUrlCredentials('https://bob:hunter2@example.com/hook?x=1')).toBe(
      'https://********@example.com/hook?x=1',
    );
    expect(maskUrlCredentials('http://bob@example.com/')).toBe('http://********@example.com/');
    expect(maskUrlCredentials('https://example.com/a@b')).toBe('https://example.com/a@b');
    expect(maskUrlCredentials('not a url @ all')).toBe('not a url @ all');
    expect(maskConfiguration({ 'event.notification.callback.url': 'https://a:b@x.example/h' })).toEqual({
      'event.notification.callback.url': 'https://********@x.example/h',
    });
  });
});
