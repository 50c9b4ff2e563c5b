import { createElement, getElement, listElements, requireElement, UnknownElementError } from '../catalog';
import { ElementRequestError } from '../errors';
import { maximizerAuthorizeUrl, maximizerBaseUrl } from './adapter';

/** The shape @pollcast/config-schema relies on, restated here so a drift fails to compile. */
interface ConfigSchemaElement {
  key: string;
  defaultRefreshIntervalMinutes: number;
  configDefaults: Record<string, string>;
  resources: Record<string, { defaultPollerConfig: Record<string, unknown> }>;
}

const SEED_URL = "/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'";

describe('the maximizer catalog entry', () => {
  const element = requireElement('maximizer');

  it('satisfies the config-schema element shape', () => {
    const asConfigSchemaElement: ConfigSchemaElement = element;
    expect(asConfigSchemaElement.key).toBe('maximizer');
    expect(element.name).toBe('Maximizer');
    expect(element.hub).toBe('crm');
    expect(element.defaultRefreshIntervalMinutes).toBe(15);
  });

  it("has the seed's default poller configuration for contacts and companies, plus a created field", () => {
    expect(element.resources['contacts']?.defaultPollerConfig).toEqual({
      url: SEED_URL,
      idField: 'Key',
      datesConfiguration: {
        updatedAtField: 'LastModifyDate',
        updatedAtFormat: "yyyy-MM-dd'T'HH:mm:ssXXX",
        createdAtField: 'CreationDate',
        createdAtFormat: "yyyy-MM-dd'T'HH:mm:ssXXX",
      },
    });
    expect(element.resources['companies']?.defaultPollerConfig.url).toBe(
      SEED_URL.replace('contacts', 'companies'),
    );
    expect(Object.keys(element.resources)).toEqual([
      'contacts',
      'companies',
      'addressbook-entries',
      'opportunities',
    ]);
    for (const resource of Object.values(element.resources)) {
      expect(resource.defaultPollerConfig.datesConfiguration.createdAtField).toBe('CreationDate');
    }
  });

  it('defaults only element keys (the data center, and an alias so bodies without one work)', () => {
    expect(element.configDefaults).toEqual({ 'maximizer.datacenter': 'caw', 'maximizer.alias': 'default' });
  });

  it("uses the default alias when a configuration names none (the seed's bodies do not)", () => {
    const url = maximizerAuthorizeUrl({
      'oauth.api.key': 'client-1',
      'oauth.callback.url': 'https://app.example.com/cb',
    });
    expect(new URL(url).pathname).toBe('/OAuth2/default/Authorize');
  });

  it('declares its configuration keys, with only the client secret secret', () => {
    expect(element.configKeys.map((key) => key.key)).toEqual([
      'oauth.api.key',
      'oauth.api.secret',
      'oauth.callback.url',
      'maximizer.alias',
      'maximizer.datacenter',
      'maximizer.url',
    ]);
    expect(element.configKeys.filter((key) => key.secret).map((key) => key.key)).toEqual([
      'oauth.api.secret',
    ]);
    expect(element.configKeys.every((key) => key.description.length > 10)).toBe(true);
  });

  it('is listed and looked up by key', () => {
    // Maximizer first (code), then the built-in definitions (declarative/README.md).
    expect(listElements().map((listed) => listed.key)).toEqual([
      'maximizer',
      'github',
      'hubspot',
      'salesforce',
      'zendesk',
    ]);
    expect(getElement('maximizer')).toBe(element);
    expect(getElement('sugarcrm')).toBeUndefined();
    expect(getElement('toString')).toBeUndefined();
    expect(() => requireElement('sugarcrm')).toThrow(UnknownElementError);
  });
});

describe('maximizer URLs', () => {
  const configuration = {
    'maximizer.alias': 'acme db',
    'oauth.api.key': 'client-1',
    'oauth.callback.url': 'https://app.example.com/cb?x=1',
  };

  it('builds the authorize URL for the default data center', () => {
    expect(maximizerAuthorizeUrl(configuration)).toBe(
      'https://caw.maximizercrmlive.com/OAuth2/acme%20db/Authorize?scope=data&response_type=code' +
        '&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Fx%3D1&state=maximizer&client_id=client-1',
    );
  });

  it('uses maximizer.datacenter, then maximizer.url, and a custom state', () => {
    expect(maximizerAuthorizeUrl({ ...configuration, 'maximizer.datacenter': 'cae' }, 's-1')).toMatch(
      /^https:\/\/cae\.maximizercrmlive\.com\/OAuth2\/acme%20db\/Authorize\?.*&state=s-1&/,
    );
    expect(
      maximizerBaseUrl({ 'maximizer.url': 'http://127.0.0.1:4010/', 'maximizer.datacenter': 'cae' }),
    ).toBe('http://127.0.0.1:4010');
    expect(maximizerAuthorizeUrl({ ...configuration, 'maximizer.url': 'http://127.0.0.1:4010' })).toMatch(
      /^http:\/\/127\.0\.0\.1:4010\/OAuth2\/acme%20db\/Authorize\?scope=data/,
    );
  });

  it('names the missing or bad configuration key', () => {
    const missing = (() => {
      try {
        maximizerAuthorizeUrl({ 'maximizer.alias': 'a', 'oauth.callback.url': 'x' });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(missing).toBeInstanceOf(ElementRequestError);
    expect(missing).toMatchObject({ configKey: 'oauth.api.key', kind: 'permanent' });
    expect(() => maximizerBaseUrl({ 'maximizer.url': 'ftp://x' })).toThrow(/must be http/);
    expect(() => maximizerBaseUrl({ 'maximizer.datacenter': 'evil.com/x' })).toThrow(/host label/);
  });
});

describe('catalog data', () => {
  it('is frozen so no caller can change another caller’s defaults', () => {
    const contacts = requireElement('maximizer').resources['contacts'];
    expect(Object.isFrozen(contacts?.defaultPollerConfig.datesConfiguration)).toBe(true);
  });
});

describe('createElement', () => {
  it('makes private instances and rejects unknown keys', async () => {
    const own = createElement('maximizer', { timeouts: { requestTimeoutMs: 1000 } });
    expect(own).not.toBe(requireElement('maximizer'));
    expect(own.key).toBe('maximizer');
    await own.close();
    expect(() => createElement('nope')).toThrow(/Unknown element 'nope'; known elements: maximizer/);
  });
});
