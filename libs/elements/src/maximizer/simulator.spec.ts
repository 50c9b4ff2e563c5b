// The Maximizer element against the in-process simulator, over real HTTP (docs/maximizer-wire.md).
import { createMaximizerSimulator, type MaximizerSimulator } from '@pollcast/maximizer-sim';
import { callWithTokenRefresh, ProviderError } from '../errors';
import type { ElementAdapter, HubResponse, OAuthTokens } from '../types';
import { createMaximizerAdapter } from './adapter';

jest.setTimeout(60_000);

const CLIENT_ID = 'pollcast-dev';
const CLIENT_SECRET = 'pollcast-dev-secret';
const CALLBACK = 'https://app.example.com/oauth/callback';

let sim: MaximizerSimulator;
let adapter: ElementAdapter;
let configuration: Record<string, string>;

beforeAll(async () => {
  sim = await createMaximizerSimulator();
  adapter = createMaximizerAdapter({
    timeouts: { requestTimeoutMs: 500 },
    outbound: { allowedHosts: [new URL(sim.url).host] },
  });
  configuration = {
    'maximizer.url': sim.url,
    'maximizer.alias': 'pollcast',
    'oauth.api.key': CLIENT_ID,
    'oauth.api.secret': CLIENT_SECRET,
    'oauth.callback.url': CALLBACK,
  };
});

afterAll(async () => {
  await adapter.close();
  await sim.close();
});

beforeEach(() => sim.reset());

/** The browser part of the dance: the simulator's Authorize redirects at once with `auto=1`. */
async function authorize(state?: string): Promise<{ code: string; state: string | null }> {
  const response = await fetch(`${adapter.authorizeUrl(configuration, state)}&auto=1`, {
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
  return { code: location.searchParams.get('code') ?? '', state: location.searchParams.get('state') };
}

async function connect(): Promise<OAuthTokens> {
  return adapter.exchangeCode(configuration, (await authorize()).code);
}

function read(accessToken: string, url: string, pageSize?: number, pageToken?: string): Promise<HubResponse> {
  return adapter.executeHubRequest({
    configuration,
    accessToken,
    url,
    ...(pageSize === undefined ? {} : { pageSize }),
    ...(pageToken === undefined ? {} : { pageToken }),
  });
}

async function readAll(accessToken: string, url: string, pageSize = 100): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  let pageToken: string | undefined;
  do {
    const page = await read(accessToken, url, pageSize, pageToken);
    records.push(...page.records);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return records;
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

function keys(records: readonly Record<string, unknown>[]): string[] {
  return records.map((record) => String(record['Key'])).sort();
}

describe('OAuth round trip', () => {
  it('authorizes, exchanges the code, reads, expires, refreshes and reads again', async () => {
    const { code, state } = await authorize();
    expect(state).toBe('maximizer');
    const before = Date.now();
    const tokens = await adapter.exchangeCode(configuration, code);
    expect(tokens.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 600_000);
    expect(tokens.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 600_000);
    await expect(read(tokens.accessToken, '/hubs/crm/contacts')).resolves.toMatchObject({ records: [] });

    // A code is single-use.
    expect(await failure(adapter.exchangeCode(configuration, code))).toMatchObject({
      kind: 'permanent',
      status: 400,
      oauthError: 'invalid_grant',
    });

    sim.clock.advance(601_000);
    const expired = await failure(read(tokens.accessToken, '/hubs/crm/contacts'));
    expect(expired).toMatchObject({ kind: 'unauthorized', status: 401, providerMessage: 'Invalid token' });
    expect(expired.message).not.toContain(tokens.accessToken);

    const refreshed = await adapter.refreshTokens(configuration, tokens.refreshToken);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    await expect(read(refreshed.accessToken, '/hubs/crm/contacts')).resolves.toMatchObject({ records: [] });

    // The rotated refresh token is refused once its 60 s grace has passed.
    sim.clock.advance(61_000);
    const rotated = await failure(adapter.refreshTokens(configuration, tokens.refreshToken));
    expect(rotated).toMatchObject({ kind: 'permanent', oauthError: 'invalid_grant' });
    expect(rotated.message).not.toContain(tokens.refreshToken);
  });

  it('maps a wrong client secret to a permanent invalid_client', async () => {
    const { code } = await authorize();
    const error = await failure(
      adapter.exchangeCode({ ...configuration, 'oauth.api.secret': 'wrong-secret' }, code),
    );
    expect(error).toMatchObject({ kind: 'permanent', status: 401, oauthError: 'invalid_client' });
    expect(error.message).not.toContain('wrong-secret');
  });

  it('passes a custom state through', async () => {
    expect((await authorize('instance-42')).state).toBe('instance-42');
  });
});

describe('CEQL end to end', () => {
  let accessToken: string;
  const companies: Record<string, unknown>[] = [];
  const contacts: Record<string, unknown>[] = [];
  const opportunities: Record<string, unknown>[] = [];
  // Toronto is UTC-5 in January: 12:00 local = 17:00Z.
  const t0 = new Date('2019-01-15T17:00:00Z');

  beforeEach(async () => {
    companies.length = 0;
    contacts.length = 0;
    opportunities.length = 0;
    sim.clock.freeze(t0);
    companies.push(
      sim.store.create('AbEntry', { Type: 'Company', CompanyName: "O'Brien & Sons", City: 'Toronto' }),
    );
    companies.push(sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'Acme', City: 'Ottawa' }));
    sim.clock.advance(60_000);
    const parentKey = String(companies[0]?.['Key']);
    for (const [firstName, email, phone] of [
      ['Ann', 'ann@example.com', '555-0100'],
      ['Bob', 'bob@example.org', null],
      ['Cid', 'cid@EXAMPLE.com', '555-0102'],
    ] as const) {
      contacts.push(
        sim.store.create('AbEntry', {
          Type: 'Contact',
          FirstName: firstName,
          LastName: 'X',
          Email: email,
          Phone: phone,
          ParentKey: parentKey,
        }),
      );
      sim.clock.advance(1000);
    }
    for (const [objective, status, revenue] of [
      ['Deal A', 'Open', 100],
      ['Deal B', 'Won', 2500.5],
      ['Deal C', 'Lost', 0],
    ] as const) {
      opportunities.push(
        sim.store.create('Opportunity', { Objective: objective, Status: status, Revenue: revenue }),
      );
    }
    accessToken = sim.oauth.issueTokens(CLIENT_ID).access_token;
  });

  const byName = (name: string) => keys(contacts.filter((contact) => contact['FirstName'] === name));

  it.each<[string, string, () => string[]]>([
    ['=', "FirstName = 'Ann'", () => byName('Ann')],
    ['!=', "FirstName != 'Ann'", () => [...byName('Bob'), ...byName('Cid')].sort()],
    ['<', "FirstName < 'Bob'", () => byName('Ann')],
    ['>', "FirstName > 'Bob'", () => byName('Cid')],
    ['<=', "FirstName <= 'Bob'", () => [...byName('Ann'), ...byName('Bob')].sort()],
    ['>=', "FirstName >= 'Bob'", () => [...byName('Bob'), ...byName('Cid')].sort()],
    [
      'LIKE (case-insensitive)',
      "Email LIKE '%@example.com'",
      () => [...byName('Ann'), ...byName('Cid')].sort(),
    ],
    ['IN', "FirstName IN ('Ann', 'Cid', 'Zed')", () => [...byName('Ann'), ...byName('Cid')].sort()],
    ['IS NULL', 'Phone IS NULL', () => byName('Bob')],
    ['IS NOT NULL', 'Phone IS NOT NULL', () => [...byName('Ann'), ...byName('Cid')].sort()],
    [
      'AND / OR / parentheses',
      "(FirstName = 'Ann' OR FirstName = 'Bob') AND Phone IS NOT NULL",
      () => byName('Ann'),
    ],
    [
      'OR without parentheses',
      "FirstName = 'Ann' OR FirstName = 'Bob' AND Phone IS NULL",
      () => [...byName('Ann'), ...byName('Bob')].sort(),
    ],
    // 12:01:01 Toronto = 17:01:01Z = 22:01:01+05:00: Bob and Cid were modified after it.
    [
      'date > with +05:00 offset (raw +)',
      "LastModifyDate > '2019-01-15T22:01:00+05:00'",
      () => [...byName('Bob'), ...byName('Cid')].sort(),
    ],
    [
      'date >= in Z',
      "LastModifyDate >= '2019-01-15T17:01:01Z'",
      () => [...byName('Bob'), ...byName('Cid')].sort(),
    ],
  ])('%s on contacts', async (_name, where, expected) => {
    const records = await readAll(accessToken, `/hubs/crm/contacts?where=${where}`);
    expect(keys(records)).toEqual(expected());
  });

  it('decodes a fully percent-encoded where (%2B for +)', async () => {
    const where = encodeURIComponent("LastModifyDate > '2019-01-15T22:01:00+05:00'");
    expect(where).toContain('%2B');
    const records = await readAll(accessToken, `/hubs/crm/contacts?where=${where}`);
    expect(keys(records)).toEqual([...byName('Bob'), ...byName('Cid')].sort());
  });

  it('escapes quotes in literals and keeps raw ampersands', async () => {
    const records = await readAll(accessToken, "/hubs/crm/companies?where=CompanyName = 'O''Brien & Sons'");
    expect(keys(records)).toEqual(keys(companies.slice(0, 1)));
  });

  it('compares numbers and IN on opportunities', async () => {
    const rich = await readAll(
      accessToken,
      '/hubs/crm/opportunities?where=Revenue >= 100 AND Revenue < 2500.5',
    );
    expect(rich.map((record) => record['Objective'])).toEqual(['Deal A']);
    const closed = await readAll(accessToken, "/hubs/crm/opportunities?where=Status IN ('Won','Lost')");
    expect(closed.map((record) => record['Objective']).sort()).toEqual(['Deal B', 'Deal C']);
  });

  it('scopes each resource to its entity and type', async () => {
    expect(keys(await readAll(accessToken, '/hubs/crm/contacts'))).toEqual(keys(contacts));
    expect(keys(await readAll(accessToken, '/hubs/crm/companies'))).toEqual(keys(companies));
    expect(keys(await readAll(accessToken, '/hubs/crm/addressbook-entries'))).toEqual(
      keys([...companies, ...contacts]),
    );
    expect(keys(await readAll(accessToken, '/hubs/crm/opportunities'))).toEqual(keys(opportunities));
  });

  it("runs the seed's URLs verbatim (trailing space; stray double quote with a warning)", async () => {
    const since = '2019-01-15T12:01:00-05:00';
    const first = await read(accessToken, `/hubs/crm/contacts?where=LastModifyDate>'${since}' `);
    expect(keys(first.records)).toEqual([...byName('Bob'), ...byName('Cid')].sort());
    expect(first.warnings).toEqual([]);
    const second = await read(accessToken, `/hubs/crm/contacts?where=LastModifyDate>'${since}'"`);
    expect(keys(second.records)).toEqual(keys(first.records));
    expect(second.warnings).toEqual([expect.stringMatching(/Ignored trailing/)]);
  });

  it('returns records as the provider gave them, honouring fields', async () => {
    const [record] = (await read(accessToken, "/hubs/crm/contacts?where=FirstName='Ann'&fields=FirstName"))
      .records;
    expect(Object.keys(record ?? {}).sort()).toEqual(['CreationDate', 'FirstName', 'Key', 'LastModifyDate']);
    expect(record?.['LastModifyDate']).toBe('2019-01-15T12:01:00-05:00');
  });

  it('maps an unknown field (negative Code) to permanent with the provider Msg', async () => {
    const error = await failure(read(accessToken, "/hubs/crm/contacts?where=Foo = 'x'"));
    expect(error).toMatchObject({ kind: 'permanent', status: 200, providerCode: -1 });
    expect(error.providerMessage).toMatch(/Foo/);
  });
});

describe('paging', () => {
  it('walks 10,000 records sharing timestamps without losing or repeating one', async () => {
    const from = new Date('2024-03-01T10:00:00Z');
    sim.clock.freeze(new Date('2024-03-02T00:00:00Z'));
    // 10,000 records over 30 seconds: hundreds share every second.
    sim.store.seed({
      count: 10_000,
      from,
      to: new Date(from.getTime() + 30_000),
      mix: { Company: 30, Individual: 20, Contact: 50 },
    });
    const accessToken = sim.oauth.issueTokens(CLIENT_ID).access_token;
    const total = sim.store.count('AbEntry');
    expect(total).toBe(10_000);

    // Some pages come back empty but with a PageKey that resumes in place: the loop must carry on.
    sim.faults.add({ kind: 'emptyPage', path: '/octopus/Read', count: 3 });
    const records = await readAll(
      accessToken,
      `/hubs/crm/addressbook-entries?where=LastModifyDate>='2024-03-01T05:00:00-05:00'`,
      333,
    );
    expect(records).toHaveLength(total);
    expect(new Set(keys(records)).size).toBe(total);

    // Pages are ordered by (LastModifyDate, Key), the order a poller's watermark relies on.
    const instants = records.map((record) => Date.parse(String(record['LastModifyDate'])));
    for (let index = 1; index < instants.length; index += 1) {
      expect(instants[index]).toBeGreaterThanOrEqual(instants[index - 1] ?? 0);
    }
    const perSecond = new Map<number, number>();
    for (const instant of instants) perSecond.set(instant, (perSecond.get(instant) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeGreaterThan(100);

    const contacts = await readAll(
      accessToken,
      `/hubs/crm/contacts?where=LastModifyDate>='2024-03-01T05:00:00-05:00'`,
      1000,
    );
    expect(new Set(keys(contacts)).size).toBe(contacts.length);
    expect(contacts.every((record) => record['Type'] === 'Contact')).toBe(true);
    expect(contacts.length).toBe(records.filter((record) => record['Type'] === 'Contact').length);
  });
});

describe('injected faults', () => {
  let accessToken: string;
  const url = "/hubs/crm/contacts?where=LastModifyDate>'2019-01-15T11:54:00-05:00'";

  beforeEach(() => {
    accessToken = sim.oauth.issueTokens(CLIENT_ID).access_token;
  });

  it('429 + Retry-After → rate_limited with retryAfterMs', async () => {
    sim.faults.add({ kind: 'rateLimit', retryAfterSeconds: 7 });
    expect(await failure(read(accessToken, url))).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 7000,
      providerMessage: 'Too many requests',
    });
    await expect(read(accessToken, url)).resolves.toMatchObject({ records: [] });
  });

  it.each([500, 503])('%i → retryable', async (status) => {
    sim.faults.add({ kind: 'serverError', status });
    expect(await failure(read(accessToken, url))).toMatchObject({
      kind: 'retryable',
      status,
      providerMessage: `Simulated HTTP ${status}`,
    });
  });

  it('a provider that never answers → retryable after the total timeout', async () => {
    sim.faults.add({ kind: 'timeout', holdMs: 5000 });
    const error = await failure(read(accessToken, url));
    expect(error).toMatchObject({ kind: 'retryable', status: undefined });
    expect(error.message).toMatch(/no complete response within 500 ms/);
  });

  it('a slow answer within the timeout succeeds', async () => {
    sim.faults.add({ kind: 'slow', delayMs: 100 });
    await expect(read(accessToken, url)).resolves.toMatchObject({ records: [] });
  });

  it('401 on a valid token → refresh once, then succeed', async () => {
    const tokens = await connect();
    let current = tokens;
    let refreshes = 0;
    sim.faults.add({ kind: 'unauthorized', path: '/octopus/Read' });
    const page = await callWithTokenRefresh(
      async ({ forceRefresh, rejectedToken }) => {
        if (!forceRefresh) return current.accessToken;
        expect(rejectedToken).toBe(tokens.accessToken);
        refreshes += 1;
        current = await adapter.refreshTokens(configuration, current.refreshToken);
        return current.accessToken;
      },
      (token) => read(token, url),
    );
    expect(page.records).toEqual([]);
    expect(refreshes).toBe(1);
  });

  it('401 twice → the helper gives up after one refresh', async () => {
    sim.faults.add({ kind: 'unauthorized', path: '/octopus/Read', count: 2 });
    let refreshes = 0;
    const error = await failure(
      callWithTokenRefresh(
        async ({ forceRefresh }) => {
          if (forceRefresh) refreshes += 1;
          return accessToken;
        },
        (token) => read(token, url),
      ),
    );
    expect(error.kind).toBe('unauthorized');
    expect(refreshes).toBe(1);
  });

  it('malformed JSON → retryable', async () => {
    sim.faults.add({ kind: 'malformedJson' });
    expect(await failure(read(accessToken, url))).toMatchObject({ kind: 'retryable', status: 200 });
  });

  it('faults on the token endpoint map the same way', async () => {
    const { code } = await authorize();
    sim.faults.add({ kind: 'rateLimit', path: '/OAuth2/*', retryAfterSeconds: 2 });
    expect(await failure(adapter.exchangeCode(configuration, code))).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 2000,
    });
    sim.faults.add({ kind: 'serverError', path: '/OAuth2/*', status: 502 });
    expect(await failure(adapter.exchangeCode(configuration, code))).toMatchObject({
      kind: 'retryable',
      status: 502,
    });
    // The code was never consumed by the failed attempts.
    await expect(adapter.exchangeCode(configuration, code)).resolves.toMatchObject({
      accessToken: expect.any(String),
    });
  });
});
