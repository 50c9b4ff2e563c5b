import { seedCurlBody, seedTemplateBody } from '@pollcast/testing';
import { parseInstanceBody } from './parse-instance-body';
import { maskCanonicalConfig, SECRET_MASK } from './mask';
import { toInstanceBody } from './serialize';
import { resolveFakeElement } from './fixtures/fake-element';
import type {
  CanonicalInstanceConfig,
  ConfigIssue,
  ParseInstanceBodyOptions,
  ResourcePollerConfig,
} from './types';

/** The seed document's two request bodies (written once, in @pollcast/testing), placeholders filled in. */
function seedBody(which: 1 | 2): Record<string, unknown> {
  const code = 'grant-code-from-maximizer';
  return which === 1
    ? seedTemplateBody({ code, oauthCallbackUrl: 'https://mycoolapp.com/oauth/callback' })
    : seedCurlBody({ code });
}

const create: ParseInstanceBodyOptions = { resolveElement: resolveFakeElement, mode: 'create' };
const FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX";
const CONTACTS_URL = "/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'T'HH:mm:ssXXX}'";
const POLLER = 'configuration.event.poller.configuration';

function parseOk(body: unknown, options: ParseInstanceBodyOptions = create): CanonicalInstanceConfig {
  const result = parseInstanceBody(body, options);
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors, null, 2)}`);
  return result.value;
}

function parseErrors(body: unknown, options: ParseInstanceBodyOptions = create): ConfigIssue[] {
  const result = parseInstanceBody(body, options);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value, null, 2)}`);
  return result.errors;
}

/** A minimal valid body with `configuration` replaced. */
function withConfiguration(configuration: Record<string, unknown>): Record<string, unknown> {
  return { element: { key: 'maximizer' }, name: 'test', configuration };
}

function withContacts(contacts: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return withConfiguration({
    'event.notification.enabled': true,
    'event.notification.callback.url': 'https://example.com/events',
    'event.poller.configuration': { contacts },
    ...extra,
  });
}

const contactsConfig = {
  url: CONTACTS_URL,
  idField: 'Key',
  datesConfiguration: { updatedAtField: 'LastModifyDate', updatedAtFormat: FORMAT },
};

function resource(config: CanonicalInstanceConfig, name: string): ResourcePollerConfig | undefined {
  return config.events.resources.find((candidate) => candidate.resource === name);
}

function pathsOf(errors: ConfigIssue[]): string[] {
  return errors.map((error) => error.path);
}

describe('parseInstanceBody: the seed document', () => {
  it('accepts the first request body (with {} resources meaning the element default)', () => {
    const body = seedBody(1);
    const result = parseInstanceBody(body, create);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const config = result.value;
    expect(config).toMatchObject({
      elementKey: 'maximizer',
      name: 'maximizer',
      tags: [],
      disabled: false,
      providerCode: 'grant-code-from-maximizer',
      oauth: {
        apiKey: 'Rand0MAP1-key',
        apiSecret: 'fak3AP1-s3Cr3t',
        callbackUrl: 'https://mycoolapp.com/oauth/callback',
      },
      elementConfig: { 'maximizer.datacenter': 'caw' },
      original: body.configuration,
    });
    expect(config.events).toMatchObject({
      enabled: true,
      vendorType: 'polling',
      callbackUrl: 'http://mycoolapp.com',
      refreshIntervalMinutes: 15,
    });
    expect(config.events.resources.map((entry) => entry.resource)).toEqual([
      'addressbook-entries',
      'companies',
      'contacts',
      'opportunities',
    ]);
    expect(resource(config, 'contacts')).toEqual({
      resource: 'contacts',
      url: `${CONTACTS_URL} `, // the trailing blank is kept; the element layer copes with it
      idField: 'Key',
      updated: { field: 'LastModifyDate', format: FORMAT, zone: 'GMT' },
      filterByUpdatedDate: true,
      filterByCurrentDate: false,
      createdCheckTolerance: 10,
      pageSize: 100,
      pollDelay: 0,
    });
    expect(resource(config, 'opportunities')).toMatchObject({
      created: { field: 'CreationDate', format: FORMAT, zone: 'GMT' },
      pageSize: 50,
    });
    expect(result.warnings).toEqual([
      { path: 'name', message: expect.stringContaining('is empty') as string },
      { path: 'tags[0]', message: 'is empty and was dropped' },
    ]);
  });

  it('accepts the second request body, stray trailing quote in the URL included', () => {
    const config = parseOk(seedBody(2));
    expect(config.name).toBe('API Instance with Polling');
    expect(config.tags).toEqual(['Docs']);
    expect(config.events.resources).toHaveLength(1);
    expect(resource(config, 'contacts')?.url).toBe(`${CONTACTS_URL}"`);
    expect(config.events.callbackUrl).toBe(
      'https://api.openconnectors.us2.ext.hana.ondemand.com/elements/api-v2/events/woocommercercerest/',
    );
  });

  it('accepts the first body with its refresh interval left empty: the element default applies', () => {
    const body = seedBody(1);
    (body.configuration as Record<string, unknown>)['event.poller.refresh_interval'] = '';
    expect(parseOk(body).events.refreshIntervalMinutes).toBe(15);
  });

  it('round-trips both seeds through toInstanceBody', () => {
    for (const which of [1, 2] as const) {
      const config = parseOk(seedBody(which));
      const again = parseOk(toInstanceBody(config));
      expect({ ...again, original: {} }).toEqual({ ...config, original: {} });
    }
  });
});

describe('parseInstanceBody: accepted shapes', () => {
  it('treats both date-key spellings alike', () => {
    const atSpelling = parseOk(withContacts(contactsConfig));
    const dateSpelling = parseOk(
      withContacts({
        url: CONTACTS_URL,
        idField: 'Key',
        datesConfiguration: {
          updatedDateField: 'LastModifyDate',
          updatedDateFormat: FORMAT,
          updatedDateTimezone: 'GMT',
        },
      }),
    );
    expect(dateSpelling.events).toEqual(atSpelling.events);
  });

  it('reads created dates, time zones and every option', () => {
    const config = parseOk(
      withContacts({
        url: CONTACTS_URL,
        idField: 'data.id',
        datesConfiguration: {
          updatedDateField: 'LastModifyDate',
          updatedDateFormat: 'milliseconds',
          createdDateField: 'CreationDate',
          createdDateFormat: 'yyyy-MM-dd HH:mm:ss',
          createdDateTimezone: 'America/Denver',
        },
        filterByUpdatedDate: 'false',
        filterByCurrentDate: true,
        createdCheckTolerance: '30',
        pageSize: 1000,
        pollDelay: 5,
      }),
    );
    expect(resource(config, 'contacts')).toEqual({
      resource: 'contacts',
      url: CONTACTS_URL,
      idField: 'data.id',
      updated: { field: 'LastModifyDate', format: 'milliseconds', zone: 'GMT' },
      created: { field: 'CreationDate', format: 'yyyy-MM-dd HH:mm:ss', zone: 'America/Denver' },
      filterByUpdatedDate: false,
      filterByCurrentDate: true,
      createdCheckTolerance: 30,
      pageSize: 1000,
      pollDelay: 5,
    });
  });

  it('accepts event.poller.configuration as a JSON-encoded string', () => {
    const asObject = parseOk(seedBody(1));
    const body = seedBody(1);
    const configuration = body.configuration as Record<string, unknown>;
    configuration['event.poller.configuration'] = JSON.stringify(configuration['event.poller.configuration']);
    const asString = parseOk(body);
    expect(asString.events).toEqual(asObject.events);
    expect(asString.original['event.poller.configuration']).toEqual(
      configuration['event.poller.configuration'],
    );
  });

  it('accepts the legacy event.poller.urls form, newline- or comma-separated', () => {
    const lines = [
      `contacts|${CONTACTS_URL}|Key|LastModifyDate|${FORMAT}|GMT`,
      `companies|/hubs/crm/companies?fields=Key,LastModifyDate&where=LastModifyDate>'\${gmtDate:${FORMAT}}'|Key|LastModifyDate|${FORMAT}||CreationDate|${FORMAT}|EST`,
    ];
    for (const separator of ['\n', '\r\n', ',']) {
      const config = parseOk(
        withConfiguration({
          'event.notification.enabled': 'true',
          'event.notification.callback.url': 'https://example.com/events',
          'event.poller.urls': lines.join(separator),
        }),
      );
      expect(config.events.resources.map((entry) => entry.resource)).toEqual(['companies', 'contacts']);
      expect(resource(config, 'companies')).toMatchObject({
        url: `/hubs/crm/companies?fields=Key,LastModifyDate&where=LastModifyDate>'\${gmtDate:${FORMAT}}'`,
        idField: 'Key',
        updated: { field: 'LastModifyDate', format: FORMAT, zone: 'GMT' },
        created: { field: 'CreationDate', format: FORMAT, zone: 'EST' },
      });
    }
  });

  it('fills a legacy line without xpath and dates from the element default', () => {
    const config = parseOk(withConfiguration({ 'event.poller.urls': `contacts|${CONTACTS_URL}` }));
    expect(resource(config, 'contacts')).toMatchObject({ url: CONTACTS_URL, idField: 'Key' });
  });

  it('uses the element default for {} and merges partial resource objects over it', () => {
    const config = parseOk(
      withConfiguration({
        'event.notification.enabled': true,
        'event.notification.callback.url': 'https://example.com/events',
        'event.poller.configuration': { contacts: {}, opportunities: { pageSize: '10' } },
      }),
    );
    expect(resource(config, 'contacts')).toMatchObject({
      idField: 'Key',
      updated: { field: 'LastModifyDate' },
    });
    expect(resource(config, 'opportunities')).toMatchObject({
      pageSize: 10,
      created: { field: 'CreationDate' },
    });
  });

  it.each([undefined, {}, '', '{}'])(
    'uses all element defaults when the poller configuration is %p',
    (poller) => {
      const configuration: Record<string, unknown> = {
        'event.notification.enabled': true,
        'event.notification.callback.url': 'https://example.com/events',
      };
      if (poller !== undefined) configuration['event.poller.configuration'] = poller;
      const config = parseOk(withConfiguration(configuration));
      expect(config.events.resources.map((entry) => entry.resource)).toEqual([
        'addressbook-entries',
        'contacts',
        'opportunities',
      ]);
    },
  );

  it('applies defaults: events off, polling, element refresh interval, element config defaults', () => {
    const config = parseOk({ element: { key: 'maximizer' }, name: 'plain' });
    expect(config.events).toMatchObject({
      enabled: false,
      vendorType: 'polling',
      refreshIntervalMinutes: 15,
    });
    expect(config.events.callbackUrl).toBeUndefined();
    expect(config.oauth).toEqual({});
    expect(config.elementConfig).toEqual({ 'maximizer.datacenter': 'caw' });
    expect(config.providerCode).toBeUndefined();
  });

  it.each([
    [5, 5],
    ['5', 5],
    [' 60 ', 60],
    ['15.0', 15],
    [null, 15],
    ['', 15],
  ])('reads refresh interval %p as %p minutes', (given, minutes) => {
    expect(
      parseOk(withConfiguration({ 'event.poller.refresh_interval': given })).events.refreshIntervalMinutes,
    ).toBe(minutes);
  });

  it('keeps element and user keys as strings, and stringifies scalars', () => {
    const config = parseOk(
      withConfiguration({
        'maximizer.datacenter': 'cae',
        'maximizer.alias': 'acme',
        'my.flag': true,
        'my.count': 3,
      }),
    );
    expect(config.elementConfig).toEqual({
      'maximizer.datacenter': 'cae',
      'maximizer.alias': 'acme',
      'my.flag': 'true',
      'my.count': '3',
    });
  });

  it.each([
    ['webhook', 'webhook'],
    ['webhooks', 'webhook'],
    ['POLLING', 'polling'],
  ])('reads event.vendor.type %p when events are off', (given, vendorType) => {
    expect(parseOk(withConfiguration({ 'event.vendor.type': given })).events.vendorType).toBe(vendorType);
  });

  it('keeps the signature key and warns about unknown top-level fields, ignoring response fields quietly', () => {
    const result = parseInstanceBody(
      {
        ...withContacts(contactsConfig, { 'event.notification.signature.key': 'k3y' }),
        id: 12,
        token: 't',
        colour: 'red',
      },
      create,
    );
    expect(result.ok && result.value.events.signatureKey).toBe('k3y');
    expect(result.ok && result.warnings).toEqual([
      { path: 'colour', message: 'is not an instance field and was ignored' },
    ]);
  });
});

describe('parseInstanceBody: errors carry the exact path as written', () => {
  const cases: [string, Record<string, unknown>, string, string | RegExp][] = [
    [
      'invalid pattern letter',
      withContacts({
        ...contactsConfig,
        datesConfiguration: { updatedAtField: 'LastModifyDate', updatedAtFormat: 'yyyy-bb-dd' },
      }),
      `${POLLER}.contacts.datesConfiguration.updatedAtFormat`,
      /date format "yyyy-bb-dd" is invalid: .*letter 'b'/,
    ],
    [
      'unterminated quote',
      withContacts({
        ...contactsConfig,
        datesConfiguration: { updatedDateField: 'LastModifyDate', updatedDateFormat: "yyyy-MM-dd'T" },
      }),
      `${POLLER}.contacts.datesConfiguration.updatedDateFormat`,
      /is invalid/,
    ],
    [
      'unknown zone',
      withContacts({
        ...contactsConfig,
        datesConfiguration: {
          updatedAtField: 'LastModifyDate',
          updatedAtFormat: FORMAT,
          updatedDateTimezone: 'Mars/Olympus',
        },
      }),
      `${POLLER}.contacts.datesConfiguration.updatedDateTimezone`,
      /time zone "Mars\/Olympus" is invalid/,
    ],
    [
      'malformed placeholder',
      withContacts({ ...contactsConfig, url: "/hubs/crm/contacts?where=LastModifyDate>'${date:yyyy-MM-dd'" }),
      `${POLLER}.contacts.url`,
      /URL template is invalid: .*index \d+/,
    ],
    [
      'absolute URL',
      withContacts({ ...contactsConfig, url: 'https://evil.example/contacts' }),
      `${POLLER}.contacts.url`,
      /hub path starting with "\/"/,
    ],
    [
      'missing url and idField without an element default',
      withConfiguration({ 'event.poller.configuration': { tasks: { pageSize: 10 } } }),
      `${POLLER}.tasks.url`,
      /is required/,
    ],
    [
      '{} for a resource the element has no default for',
      withConfiguration({ 'event.poller.configuration': { tasks: {} } }),
      `${POLLER}.tasks`,
      /has no default for "tasks"; resources with defaults: contacts, addressbook-entries, opportunities/,
    ],
    [
      'pageSize too large',
      withContacts({ ...contactsConfig, pageSize: 1001 }),
      `${POLLER}.contacts.pageSize`,
      /from 1 to 1000/,
    ],
    [
      'pageSize zero',
      withContacts({ ...contactsConfig, pageSize: '0' }),
      `${POLLER}.contacts.pageSize`,
      /from 1 to 1000/,
    ],
    [
      'pollDelay negative',
      withContacts({ ...contactsConfig, pollDelay: -1 }),
      `${POLLER}.contacts.pollDelay`,
      /from 0 to 86400/,
    ],
    [
      'createdCheckTolerance text',
      withContacts({ ...contactsConfig, createdCheckTolerance: 'ten' }),
      `${POLLER}.contacts.createdCheckTolerance`,
      /whole number of seconds/,
    ],
    [
      'filterByUpdatedDate nonsense',
      withContacts({ ...contactsConfig, filterByUpdatedDate: 'maybe' }),
      `${POLLER}.contacts.filterByUpdatedDate`,
      /must be true or false/,
    ],
    [
      'filterByUpdatedDate false without a created date',
      withContacts({ ...contactsConfig, filterByUpdatedDate: false }),
      `${POLLER}.contacts.filterByUpdatedDate`,
      /createdDateField/,
    ],
    [
      'misspelt resource key',
      withContacts({ ...contactsConfig, idFeld: 'Key' }),
      `${POLLER}.contacts.idFeld`,
      /Did you mean "idField"/,
    ],
    [
      'unknown dates key',
      withContacts({
        ...contactsConfig,
        datesConfiguration: { updatedAtField: 'x', updatedAtFormat: FORMAT, updatedZone: 'GMT' },
      }),
      `${POLLER}.contacts.datesConfiguration.updatedZone`,
      /unknown datesConfiguration key/,
    ],
    [
      'date field without format',
      withContacts({ ...contactsConfig, datesConfiguration: { updatedAtField: 'LastModifyDate' } }),
      `${POLLER}.contacts.datesConfiguration.updatedAtField`,
      /needs a format: add "updatedAtFormat"/,
    ],
    [
      'date format without field',
      withContacts({ ...contactsConfig, datesConfiguration: { createdDateFormat: FORMAT } }),
      `${POLLER}.contacts.datesConfiguration.createdDateFormat`,
      /without "createdDateField"/,
    ],
    [
      'two spellings disagreeing',
      withContacts({
        ...contactsConfig,
        datesConfiguration: { updatedAtField: 'A', updatedDateField: 'B', updatedAtFormat: FORMAT },
      }),
      `${POLLER}.contacts.datesConfiguration.updatedDateField`,
      /conflicts with "updatedAtField"/,
    ],
    [
      'resource not an object',
      withContacts('yes'),
      `${POLLER}.contacts`,
      /must be a JSON object \(use \{\} for the element's default\)/,
    ],
    [
      'bad resource name',
      withConfiguration({ 'event.poller.configuration': { 'a/b': {} } }),
      `${POLLER}.a/b`,
      /not a valid resource name/,
    ],
    [
      'poller configuration an array',
      withConfiguration({ 'event.poller.configuration': [] }),
      POLLER,
      /keyed by resource name .* got an array/,
    ],
    [
      'poller configuration invalid JSON string',
      withConfiguration({ 'event.poller.configuration': '{"contacts": {"url": "/x",}}' }),
      POLLER,
      'is a string but not valid JSON: unexpected "}", expected a property name in double quotes at position 26 (line 1, column 27)',
    ],
    [
      'error inside a JSON string uses the object path',
      withConfiguration({
        'event.poller.configuration': JSON.stringify({ contacts: { ...contactsConfig, pageSize: 0 } }),
      }),
      `${POLLER}.contacts.pageSize`,
      /from 1 to 1000/,
    ],
    [
      'legacy line with a bad format',
      withConfiguration({ 'event.poller.urls': `contacts|${CONTACTS_URL}|Key|LastModifyDate|yyyy-bb` }),
      'configuration.event.poller.urls',
      /^line 1 \("contacts"\), updatedFormat: date format "yyyy-bb" is invalid/,
    ],
    [
      'legacy line too long',
      withConfiguration({ 'event.poller.urls': 'a|/b|c|d|e|f|g|h|i|j' }),
      'configuration.event.poller.urls',
      /line 1 has 10 "\|"-separated fields/,
    ],
    [
      'legacy line without url',
      withConfiguration({ 'event.poller.urls': '\ncontacts' }),
      'configuration.event.poller.urls',
      /^line 2 must start with "resource\|url"/,
    ],
    [
      'legacy and JSON naming the same resource',
      withConfiguration({
        'event.poller.configuration': { contacts: {} },
        'event.poller.urls': `contacts|${CONTACTS_URL}|Key`,
      }),
      'configuration.event.poller.urls',
      /"contacts" is configured more than once/,
    ],
    [
      'refresh interval text',
      withConfiguration({ 'event.poller.refresh_interval': 'often' }),
      'configuration.event.poller.refresh_interval',
      'must be a whole number of minutes from 1 to 525600 (e.g. "15"), got the string "often"',
    ],
    [
      'refresh interval zero',
      withConfiguration({ 'event.poller.refresh_interval': '0' }),
      'configuration.event.poller.refresh_interval',
      'must be from 1 to 525600 minutes, got 0',
    ],
    [
      'refresh interval fraction',
      withConfiguration({ 'event.poller.refresh_interval': 1.5 }),
      'configuration.event.poller.refresh_interval',
      'must be a whole number of minutes, got 1.5',
    ],
    [
      'refresh interval exponent',
      withConfiguration({ 'event.poller.refresh_interval': '1e3' }),
      'configuration.event.poller.refresh_interval',
      /got the string "1e3"/,
    ],
    [
      'enabled nonsense',
      withConfiguration({ 'event.notification.enabled': 'yes' }),
      'configuration.event.notification.enabled',
      'must be true or false (or "true"/"false"), got the string "yes"',
    ],
    [
      'vendor type nonsense',
      withConfiguration({ 'event.vendor.type': 'push' }),
      'configuration.event.vendor.type',
      /must be "polling" or "webhook"/,
    ],
    [
      'webhook with events enabled',
      withContacts(contactsConfig, { 'event.vendor.type': 'webhooks' }),
      'configuration.event.vendor.type',
      /"webhook" is not supported/,
    ],
    [
      'missing callback URL',
      withConfiguration({ 'event.notification.enabled': true }),
      'configuration.event.notification.callback.url',
      'is required when event.notification.enabled is true',
    ],
    [
      'callback URL with another scheme',
      withContacts(contactsConfig, { 'event.notification.callback.url': 'ftp://example.com/x' }),
      'configuration.event.notification.callback.url',
      /the scheme "ftp" is not allowed/,
    ],
    [
      'callback URL with credentials',
      withContacts(contactsConfig, { 'event.notification.callback.url': 'https://bob:s3cret@example.com/x' }),
      'configuration.event.notification.callback.url',
      'must not contain credentials (user:password@); give the receiver a signature key instead',
    ],
    [
      'callback URL not a URL',
      withContacts(contactsConfig, { 'event.notification.callback.url': 'mycoolapp' }),
      'configuration.event.notification.callback.url',
      /absolute http\(s\) URL/,
    ],
    [
      'unknown reserved key',
      withConfiguration({ 'event.notification.enable': true }),
      'configuration.event.notification.enable',
      /reserved\. Did you mean "event.notification.enabled"\?/,
    ],
    [
      'object as a plain key',
      withConfiguration({ 'maximizer.alias': { a: 1 } }),
      'configuration.maximizer.alias',
      /must be a string, number or boolean/,
    ],
    ['missing element', { configuration: {} }, 'element.key', /is required/],
    ['unknown element', { element: { key: 'salesforce' } }, 'element.key', 'unknown element "salesforce"'],
    [
      'tags not strings',
      { element: { key: 'maximizer' }, tags: ['a', 3] },
      'tags[1]',
      'must be a string, got number 3',
    ],
    [
      'configuration an array',
      { element: { key: 'maximizer' }, configuration: [] },
      'configuration',
      /must be a JSON object/,
    ],
    ['name too long', { element: { key: 'maximizer' }, name: 'n'.repeat(256) }, 'name', /at most 255/],
  ];

  it.each(cases)('%s', (_label, body, path, message) => {
    const errors = parseErrors(body);
    const error = errors.find((candidate) => candidate.path === path);
    expect({ paths: pathsOf(errors), found: error !== undefined }).toEqual({
      paths: pathsOf(errors),
      found: true,
    });
    if (typeof message === 'string') expect(error?.message).toBe(message);
    else expect(error?.message).toMatch(message);
  });

  it('reports every error at once, not only the first', () => {
    const errors = parseErrors(
      withConfiguration({
        'event.notification.enabled': 'maybe',
        'event.poller.refresh_interval': 'x',
        'event.poller.configuration': { contacts: { ...contactsConfig, pageSize: 0, pollDelay: -1 } },
      }),
    );
    expect(pathsOf(errors).sort()).toEqual(
      [
        'configuration.event.notification.enabled',
        'configuration.event.poller.refresh_interval',
        `${POLLER}.contacts.pageSize`,
        `${POLLER}.contacts.pollDelay`,
      ].sort(),
    );
  });

  it('rejects a body that is not an object', () => {
    for (const body of [null, 'text', 3, [], undefined]) {
      expect(parseErrors(body)).toEqual([
        { path: '', message: expect.stringContaining('must be a JSON object') as string },
      ]);
    }
  });
});

describe('parseInstanceBody: replace and patch', () => {
  // Built in beforeAll, not at collection time, so a failure shows as a failed test.
  let current: CanonicalInstanceConfig;
  let patch: ParseInstanceBodyOptions;
  let replace: ParseInstanceBodyOptions;
  beforeAll(() => {
    current = parseOk(
      withContacts(contactsConfig, { 'oauth.api.secret': 'stored-secret', 'maximizer.alias': 'acme' }),
    );
    patch = { resolveElement: resolveFakeElement, mode: 'patch', current };
    replace = { resolveElement: resolveFakeElement, mode: 'replace', current };
  });

  it('patch merges configuration keys, null removes one, other fields keep their values', () => {
    const config = parseOk(
      { configuration: { 'event.poller.refresh_interval': 5, 'maximizer.alias': null } },
      patch,
    );
    expect(config.events.refreshIntervalMinutes).toBe(5);
    expect(config.elementConfig).toEqual({ 'maximizer.datacenter': 'caw' });
    expect(config.oauth.apiSecret).toBe('stored-secret');
    expect(config.name).toBe('test');
    expect(config.original).not.toHaveProperty('maximizer.alias');
  });

  it('keeps a secret sent back masked', () => {
    const echoed = maskCanonicalConfig(current).original;
    expect(echoed['oauth.api.secret']).toBe(SECRET_MASK);
    const config = parseOk({ configuration: echoed }, replace);
    expect(config.oauth.apiSecret).toBe('stored-secret');
    expect(config.events).toEqual(current.events);
  });

  it('replace replaces the configuration whole, and keeps it when absent', () => {
    const replaced = parseOk({ configuration: { 'event.poller.refresh_interval': '30' } }, replace);
    expect(replaced.events).toMatchObject({ enabled: false, refreshIntervalMinutes: 30 });
    expect(replaced.oauth).toEqual({});
    const renamed = parseOk({ name: 'renamed' }, replace);
    expect(renamed).toEqual({ ...current, name: 'renamed' });
  });

  it('refuses to change the element, and a masked value with nothing stored', () => {
    expect(parseErrors({ element: { key: 'other' } }, patch)).toEqual([
      { path: 'element.key', message: 'cannot change from "maximizer" to "other"; create a new instance' },
    ]);
    expect(pathsOf(parseErrors({ configuration: { 'db.password': SECRET_MASK } }, patch))).toEqual([
      'configuration.db.password',
    ]);
  });

  it('needs the current configuration for replace and patch', () => {
    expect(parseErrors({}, { resolveElement: resolveFakeElement, mode: 'patch' })).toHaveLength(1);
  });
});

describe('maskCanonicalConfig', () => {
  it('masks the OAuth secret, signature key, grant code and secret-named element keys', () => {
    const config = parseOk(
      withContacts(contactsConfig, {
        'oauth.api.secret': 's',
        'event.notification.signature.key': 'k',
        'custom.password': 'p',
      }),
    );
    const masked = maskCanonicalConfig({ ...config, providerCode: 'code' });
    expect(masked.oauth.apiSecret).toBe(SECRET_MASK);
    expect(masked.events.signatureKey).toBe(SECRET_MASK);
    expect(masked.providerCode).toBe(SECRET_MASK);
    expect(masked.elementConfig['custom.password']).toBe(SECRET_MASK);
    expect(masked.original['oauth.api.secret']).toBe(SECRET_MASK);
    expect(config.oauth.apiSecret).toBe('s');
  });
});
