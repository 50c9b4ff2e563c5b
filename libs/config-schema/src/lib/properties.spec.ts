import fc from 'fast-check';
import { parseInstanceBody } from './parse-instance-body';
import { toInstanceBody } from './serialize';
import { resolveFakeElement } from './fixtures/fake-element';
import type { CanonicalInstanceConfig, ParseInstanceBodyOptions, ParseInstanceBodyResult } from './types';

const create: ParseInstanceBodyOptions = { resolveElement: resolveFakeElement, mode: 'create' };

const FORMATS = [
  "yyyy-MM-dd'T'HH:mm:ssXXX",
  "yyyy-MM-dd'T'HH:mm:ssZ",
  "yyyy-MM-dd'T'HH:mm:ss'Z'",
  "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
  'yyyy-MM-dd',
  'yyyy/MM/dd HH:mm:ss',
  'MM/dd/yyyy',
  'EEE, dd MMM yyyy HH:mm:ss Z',
  'milliseconds',
];
const ZONES = ['GMT', 'UTC', 'EST', 'PST', 'America/Denver', 'Europe/Paris', '-08:00', '+06:00'];
const PLACEHOLDERS = [
  "${gmtDate:yyyy-MM-dd'T'HH:mm:ssXXX}",
  "${date:yyyy-MM-dd'T'HH:mm:ssXXX}",
  '${epoch}',
  '${epoch:s}',
  '${date}',
];

const flag = fc.oneof(fc.boolean(), fc.constantFrom('true', 'false', 'TRUE', ' False '));
const wholeNumber = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ min, max }),
    fc.integer({ min, max }).map((value) => String(value)),
  );

const dateSide = (kind: 'updated' | 'created') =>
  fc
    .record(
      {
        spelling: fc.constantFrom('At', 'Date'),
        field: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.]{0,15}$/),
        format: fc.constantFrom(...FORMATS),
        zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
      },
      { requiredKeys: ['spelling', 'field', 'format'] },
    )
    .map(({ spelling, field, format, zone }) => {
      const keys: Record<string, string> = {
        [`${kind}${spelling}Field`]: field,
        [`${kind}${spelling}Format`]: format,
      };
      if (zone !== undefined) keys[`${kind}DateTimezone`] = zone;
      return keys;
    });

const resourceJson = fc
  .record(
    {
      url: fc
        .tuple(
          fc.stringMatching(/^[a-z-]{1,12}$/),
          fc.constantFrom(...PLACEHOLDERS),
          fc.constantFrom('', ' ', '"'),
        )
        .map(([path, placeholder, tail]) => `/hubs/crm/${path}?where=LastModifyDate>'${placeholder}'${tail}`),
      idField: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.]{0,15}$/),
      updated: dateSide('updated'),
      created: dateSide('created'),
      filterByUpdatedDate: fc.constant(true),
      filterByCurrentDate: flag,
      createdCheckTolerance: wholeNumber(0, 86_400),
      pageSize: wholeNumber(1, 1000),
      pollDelay: wholeNumber(0, 86_400),
    },
    { requiredKeys: ['url', 'idField'] },
  )
  .map(({ updated, created, ...rest }) => {
    const json: Record<string, unknown> = { ...rest };
    if (updated !== undefined || created !== undefined) json.datesConfiguration = { ...updated, ...created };
    return json;
  });

/** Bodies that must be accepted: every key in the shapes the docs allow. */
const validBody = fc
  .record({
    name: fc.string({ maxLength: 40 }),
    tags: fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
    enabled: flag,
    refresh: fc.oneof(wholeNumber(1, 10_000), fc.constant('')),
    signatureKey: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
    resources: fc.dictionary(
      fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}$/),
      fc.oneof(resourceJson, fc.constant({})),
      {
        maxKeys: 4,
      },
    ),
    asString: fc.boolean(),
    extra: fc.dictionary(
      fc.stringMatching(/^[a-z]{1,8}\.[a-z]{1,8}$/),
      fc.oneof(fc.string(), fc.integer(), fc.boolean()),
      {
        maxKeys: 3,
      },
    ),
  })
  .map(({ name, tags, enabled, refresh, signatureKey, resources, asString, extra }) => {
    // Resources without an element default must not be `{}`; give them a full configuration.
    const named = Object.fromEntries(
      Object.entries(resources).map(([resource, json]) => [
        resource,
        Object.keys(json).length === 0 &&
        !['contacts', 'opportunities', 'addressbook-entries'].includes(resource)
          ? { url: `/hubs/crm/${resource}?since=\${epoch}`, idField: 'id' }
          : json,
      ]),
    );
    const configuration: Record<string, unknown> = {
      ...Object.fromEntries(Object.entries(extra).filter(([key]) => !key.startsWith('event.'))),
      'event.notification.enabled': enabled,
      'event.notification.callback.url': 'https://example.com/events',
      'event.poller.refresh_interval': refresh,
      'event.poller.configuration': asString ? JSON.stringify(named) : named,
    };
    if (signatureKey !== undefined) configuration['event.notification.signature.key'] = signatureKey;
    return { element: { key: 'maximizer' }, name, tags, configuration };
  });

function withoutOriginal(config: CanonicalInstanceConfig): Omit<CanonicalInstanceConfig, 'original'> {
  const { original: _original, ...rest } = config;
  return rest;
}

function expectWellFormed(result: ParseInstanceBodyResult): void {
  const issues = result.ok ? result.warnings : result.errors;
  for (const issue of issues) {
    expect(typeof issue.path).toBe('string');
    expect(issue.message).not.toMatch(/^internal error/);
    expect(issue.message.length).toBeGreaterThan(0);
  }
  if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
}

describe('parseInstanceBody properties', () => {
  it('accepts generated valid bodies, and canonical -> body -> canonical is the identity', () => {
    fc.assert(
      fc.property(validBody, (body) => {
        const first = parseInstanceBody(body, create);
        if (!first.ok) throw new Error(JSON.stringify(first.errors));
        const second = parseInstanceBody(toInstanceBody(first.value), create);
        if (!second.ok) throw new Error(JSON.stringify(second.errors));
        expect(withoutOriginal(second.value)).toEqual(withoutOriginal(first.value));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary input, only returns issues', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        expectWellFormed(parseInstanceBody(body, create));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws when arbitrary values sit under the known keys', () => {
    const anyValue = fc.oneof(
      fc.jsonValue(),
      fc.string(),
      fc.constantFrom('', 'true', '15', '{', '${date:', 'a|b'),
    );
    const keys = [
      'event.notification.enabled',
      'event.vendor.type',
      'event.notification.callback.url',
      'event.notification.signature.key',
      'event.poller.refresh_interval',
      'event.poller.configuration',
      'event.poller.urls',
      'oauth.api.secret',
      '__proto__',
      'constructor',
    ];
    const resource = fc.dictionary(
      fc.constantFrom(
        'url',
        'idField',
        'datesConfiguration',
        'pageSize',
        'pollDelay',
        'filterByUpdatedDate',
        '__proto__',
      ),
      fc.oneof(
        anyValue,
        fc.dictionary(fc.constantFrom('updatedAtField', 'updatedAtFormat', 'createdDateTimezone'), anyValue),
      ),
    );
    const configuration = fc.record({
      known: fc.dictionary(fc.constantFrom(...keys), anyValue),
      poller: fc.dictionary(
        fc.oneof(fc.constantFrom('contacts', 'opportunities', 'x'), fc.string()),
        resource,
        {
          maxKeys: 3,
        },
      ),
      asString: fc.boolean(),
    });
    const modes = fc.constantFrom<ParseInstanceBodyOptions['mode']>('create', 'replace', 'patch');
    fc.assert(
      fc.property(configuration, anyValue, modes, ({ known, poller, asString }, other, mode) => {
        const body = {
          element: { key: 'maximizer' },
          name: other,
          configuration: {
            ...known,
            'event.poller.configuration': asString ? JSON.stringify(poller) : poller,
          },
        };
        const current =
          mode === 'create' ? undefined : parseInstanceBody({ element: { key: 'maximizer' } }, create);
        const options: ParseInstanceBodyOptions = { ...create, mode };
        if (current?.ok) options.current = current.value;
        expectWellFormed(parseInstanceBody(body, options));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary legacy URL strings', () => {
    const line = fc
      .array(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom(...FORMATS, ...ZONES, ...PLACEHOLDERS, '/hubs/x'),
        ),
        {
          maxLength: 11,
        },
      )
      .map((fields) => fields.join('|'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 4 }), fc.constantFrom('\n', ','), (lines, separator) => {
        expectWellFormed(
          parseInstanceBody(
            { element: { key: 'maximizer' }, configuration: { 'event.poller.urls': lines.join(separator) } },
            create,
          ),
        );
      }),
      { numRuns: 200 },
    );
  });
});
