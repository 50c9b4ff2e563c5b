// The engine against a tiny local HTTP server scripted per test with each provider's documented wire
// shape (the definitions' READMEs cite the pages). The platform-level tests run against tools/provider-sim.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BUILT_IN_DEFINITIONS_FOLDER } from '../catalog';
import { ElementRequestError, ProviderError } from '../errors';
import type { ElementAdapter, HubResponse } from '../types';
import { decodeCredential } from './credential';
import { createDeclarativeAdapter, linkNext } from './engine';
import { parseElementDefinition } from './load';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

const NOW = Date.parse('2024-05-01T12:00:00Z');
let server: Server;
let origin: string;
let handler: Handler;
const adapters: ElementAdapter[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(adapters.map((adapter) => adapter.close()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function element(key: string): ElementAdapter {
  const file = join(BUILT_IN_DEFINITIONS_FOLDER, key, 'element.json');
  const adapter = createDeclarativeAdapter(parseElementDefinition(readFileSync(file, 'utf8'), file), {
    now: () => NOW,
    timeouts: { requestTimeoutMs: 2000 },
    outbound: { allowedHosts: [origin.replace('http://', '')] },
  });
  adapters.push(adapter);
  return adapter;
}

function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Every page of a poll, as the poller walks them. */
async function walk(
  adapter: ElementAdapter,
  url: string,
  configuration: Record<string, unknown>,
  accessToken: string,
): Promise<Record<string, unknown>[]> {
  const plan = adapter.planHubRequest({ url });
  const records: Record<string, unknown>[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const page: HubResponse = await adapter.executeHubRequest({
      configuration,
      accessToken,
      plan,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    records.push(...page.records);
    pageToken = page.nextPageToken;
    pages += 1;
  } while (pageToken !== undefined && pages < 1000);
  return records;
}

const SHARED = '2024-04-30T10:00:00Z';

describe('github (bearer, GET with since, Link paging)', () => {
  const configuration = {
    'github.token': 'ghp_secret_token',
    'github.owner': 'acme',
    'github.repo': 'app',
    'github.url': '',
  };

  it('walks 250 issues sharing one timestamp across Link pages, none lost or repeated', async () => {
    const github = element('github');
    const config = { ...configuration, 'github.url': origin };
    const issues = Array.from({ length: 250 }, (_, index) => ({
      id: index + 1,
      updated_at: SHARED,
      created_at: SHARED,
    }));
    const seen: string[] = [];
    handler = (request, _body, response) => {
      const url = new URL(request.url ?? '/', origin);
      seen.push(
        `${request.method} ${url.pathname} ${request.headers.authorization} ${request.headers.accept}`,
      );
      expect(url.pathname).toBe('/repos/acme/app/issues');
      expect(url.searchParams.get('since')).toBe('2024-04-30T09:00:00Z');
      expect(url.searchParams.get('sort')).toBe('updated');
      expect(url.searchParams.get('direction')).toBe('asc');
      const page = Number(url.searchParams.get('page') ?? '1');
      const perPage = Number(url.searchParams.get('per_page'));
      const slice = issues.slice((page - 1) * perPage, page * perPage);
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      const link: Record<string, string> =
        page * perPage < issues.length
          ? { link: `<${next.toString()}>; rel="next", <${origin}/x?page=9>; rel="last"` }
          : {};
      json(response, 200, slice, link);
    };
    const records = await walk(
      github,
      '/hubs/code/issues?since=2024-04-30T09%3A00%3A00Z',
      config,
      'ghp_secret_token',
    );
    expect(records.map((record) => record['id'])).toEqual(issues.map((issue) => issue.id));
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBe('GET /repos/acme/app/issues Bearer ghp_secret_token application/vnd.github+json');
  });

  it('captures the token from the configuration instead of an OAuth code, and again on refresh', async () => {
    const github = element('github');
    const tokens = await github.exchangeCode(configuration, '');
    expect(decodeCredential(tokens.accessToken).token).toBe('ghp_secret_token');
    expect(tokens.expiresAt.getTime()).toBeGreaterThan(NOW + 365 * 24 * 3600 * 1000);
    const refreshed = await github.refreshTokens({ ...configuration, 'github.token': 'ghp_rotated' }, '');
    expect(decodeCredential(refreshed.accessToken).token).toBe('ghp_rotated');
    expect(github.authentication.type).toBe('bearer');
    expect(github.configKeys.map((key) => key.key)).toEqual([
      'github.token',
      'github.owner',
      'github.repo',
      'github.url',
    ]);
    expect(github.configDefaults).toEqual({ 'github.url': 'https://api.github.com' });
  });

  it('maps 429 Retry-After, 403 with no requests remaining, 401, 5xx and 4xx', async () => {
    const github = element('github');
    const config = { ...configuration, 'github.url': origin };
    const once = async (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
    ): Promise<ProviderError> => {
      handler = (_request, _body, response) => json(response, status, body, headers);
      try {
        await walk(github, '/hubs/code/issues?since=2024-04-30T09:00:00Z', config, 'ghp_secret_token');
      } catch (error) {
        if (error instanceof ProviderError) return error;
        throw error;
      }
      throw new Error('no error');
    };
    expect(await once(429, { message: 'slow down' }, { 'retry-after': '7' })).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 7000,
    });
    const reset = String(NOW / 1000 + 60);
    expect(
      await once(
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      ),
    ).toMatchObject({ kind: 'rate_limited', retryAfterMs: 60_000 });
    expect(await once(401, { message: 'Bad credentials' })).toMatchObject({
      kind: 'unauthorized',
      providerMessage: 'Bad credentials',
    });
    expect(await once(502, {})).toMatchObject({ kind: 'retryable', status: 502 });
    const refused = await once(404, { message: 'Not Found ghp_secret_token' });
    expect(refused).toMatchObject({ kind: 'permanent', status: 404 });
    expect(refused.message).not.toContain('ghp_secret_token');
    expect(await once(200, { not: 'an array' })).toMatchObject({ kind: 'retryable' });
  });

  it('never follows a next link to another origin with the credential', async () => {
    const github = element('github');
    const config = { ...configuration, 'github.url': origin };
    handler = (_request, _body, response) =>
      json(response, 200, [{ id: 1, updated_at: SHARED }], {
        link: '<https://evil.example/steal?page=2>; rel="next"',
      });
    await expect(
      walk(github, '/hubs/code/issues?since=2024-04-30T09:00:00Z', config, 't0ken'),
    ).rejects.toThrow(/leaves the provider's origin/);
  });

  it('plans only what the resource declares (configuration errors before any call)', () => {
    const github = element('github');
    expect(() =>
      github.planHubRequest({ url: '/hubs/code/issues?since=2024-04-30T09:00:00Z&state=open' }),
    ).toThrow(/unknown parameter 'state'/);
    expect(() => github.planHubRequest({ url: '/hubs/code/issues?since=yesterday' })).toThrow(
      /does not have the form/,
    );
    expect(() => github.planHubRequest({ url: '/hubs/code/issues' })).toThrow(/'since' is required/);
    expect(() => github.planHubRequest({ url: '/hubs/code/pulls?since=2024-04-30T09:00:00Z' })).toThrow(
      /unknown resource 'pulls'/,
    );
    expect(() => github.planHubRequest({ url: '/hubs/crm/issues' })).toThrow(ElementRequestError);
    const clamped = github.planHubRequest({
      url: '/hubs/code/issues?since=2024-04-30T09:00:00Z',
      pageSize: 500,
    });
    expect(clamped.warnings).toEqual(["pageSize 500 is above github's maximum; 100 is used"]);
  });

  it('refuses a provider URL the outbound guard refuses, naming the configuration key', () => {
    const github = element('github');
    expect(() => github.providerTargets({ ...configuration, 'github.url': 'http://10.0.0.7' })).toThrow(
      expect.objectContaining({ configKey: 'github.url' }),
    );
    expect(github.providerTargets(configuration)).toEqual([
      { configKey: 'github.url', url: 'https://api.github.com' },
    ]);
  });
});

describe('hubspot (bearer, POST body with a templated filter, body cursor)', () => {
  it('walks 250 contacts through paging.next.after', async () => {
    const hubspot = element('hubspot');
    const contacts = Array.from({ length: 250 }, (_, index) => ({
      id: String(index + 1),
      properties: { email: `c${index}@example.com` },
      createdAt: '2024-04-30T10:00:00.000Z',
      updatedAt: '2024-04-30T10:00:00.000Z',
      archived: false,
    }));
    const bodies: unknown[] = [];
    handler = (request, text, response) => {
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/crm/v3/objects/contacts/search');
      expect(request.headers.authorization).toBe('Bearer pat-na1-secret');
      const body = JSON.parse(text) as { after?: string; limit: number };
      bodies.push(body);
      const start = Number(body.after ?? '0');
      const results = contacts.slice(start, start + body.limit);
      const next =
        start + body.limit < contacts.length
          ? { paging: { next: { after: String(start + body.limit) } } }
          : {};
      json(response, 200, { total: contacts.length, results, ...next });
    };
    const records = await walk(
      hubspot,
      '/hubs/crm/contacts?since=1714467600000',
      { 'hubspot.token': 'pat-na1-secret', 'hubspot.url': origin },
      'pat-na1-secret',
    );
    expect(records.map((record) => record['id'])).toEqual(contacts.map((contact) => contact.id));
    expect(bodies[0]).toEqual({
      filterGroups: [
        { filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '1714467600000' }] },
      ],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      properties: ['email', 'firstname', 'lastname', 'createdate', 'lastmodifieddate'],
      limit: 100,
    });
    expect(bodies[1]).toMatchObject({ after: '100', limit: 100 });
    expect(bodies).toHaveLength(3);
  });
});

describe('salesforce (OAuth code with instance_url, SOQL query, nextRecordsUrl)', () => {
  const configuration = () => ({
    'oauth.api.key': 'client-id',
    'oauth.api.secret': 'client-secret-value',
    'oauth.callback.url': 'https://app.example/callback',
    'salesforce.loginUrl': origin,
  });

  it('builds the authorize URL, exchanges the code, keeps instance_url, refreshes and pages', async () => {
    const salesforce = element('salesforce');
    const authorize = new URL(salesforce.authorizeUrl(configuration(), 'state-1'));
    expect(authorize.pathname).toBe('/services/oauth2/authorize');
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client-id',
      redirect_uri: 'https://app.example/callback',
      state: 'state-1',
      scope: 'api refresh_token',
    });
    const forms: Record<string, string>[] = [];
    handler = (request, text, response) => {
      expect(request.url).toBe('/services/oauth2/token');
      const form = Object.fromEntries(new URLSearchParams(text));
      forms.push(form);
      // Salesforce sends no expires_in, and no refresh_token on refresh.
      json(response, 200, {
        access_token: form['grant_type'] === 'refresh_token' ? 'access-2' : 'access-1',
        instance_url: origin,
        token_type: 'Bearer',
        ...(form['grant_type'] === 'authorization_code' ? { refresh_token: 'refresh-1' } : {}),
      });
    };
    const tokens = await salesforce.exchangeCode(configuration(), 'the-code');
    expect(forms[0]).toMatchObject({
      grant_type: 'authorization_code',
      code: 'the-code',
      client_secret: 'client-secret-value',
    });
    expect(tokens.refreshToken).toBe('refresh-1');
    expect(tokens.expiresAt.getTime()).toBe(NOW + 7200 * 1000);
    expect(decodeCredential(tokens.accessToken)).toEqual({
      token: 'access-1',
      values: { instance_url: origin },
    });
    const refreshed = await salesforce.refreshTokens(configuration(), 'refresh-1');
    expect(refreshed.refreshToken).toBe('refresh-1');
    expect(decodeCredential(refreshed.accessToken).token).toBe('access-2');

    const accounts = Array.from({ length: 4500 }, (_, index) => ({
      attributes: { type: 'Account' },
      Id: `001${String(index).padStart(15, '0')}`,
      SystemModstamp: '2024-04-30T10:00:00.000+0000',
    }));
    const queries: string[] = [];
    handler = (request, _text, response) => {
      const url = new URL(request.url ?? '/', origin);
      expect(request.headers.authorization).toBe('Bearer access-2');
      queries.push(url.pathname + (url.search === '' ? '' : ` q=${url.searchParams.get('q')}`));
      const start = url.pathname.startsWith('/services/data/v62.0/query/')
        ? Number(url.pathname.split('-')[1])
        : 0;
      const end = Math.min(start + 2000, accounts.length);
      json(response, 200, {
        totalSize: accounts.length,
        done: end === accounts.length,
        ...(end < accounts.length
          ? { nextRecordsUrl: `/services/data/v62.0/query/01gD0000002HU6KIAW-${end}` }
          : {}),
        records: accounts.slice(start, end),
      });
    };
    const records = await walk(
      salesforce,
      '/hubs/crm/accounts?since=2024-04-30T09:00:00Z',
      configuration(),
      refreshed.accessToken,
    );
    expect(records.map((record) => record['Id'])).toEqual(accounts.map((account) => account.Id));
    expect(queries).toEqual([
      '/services/data/v62.0/query q=SELECT Id, Name, CreatedDate, LastModifiedDate, SystemModstamp FROM Account WHERE SystemModstamp >= 2024-04-30T09:00:00Z ORDER BY SystemModstamp ASC, Id ASC',
      '/services/data/v62.0/query/01gD0000002HU6KIAW-2000',
      '/services/data/v62.0/query/01gD0000002HU6KIAW-4000',
    ]);
  });

  it('refuses a SOQL parameter that is not a date (the URL is tenant input)', () => {
    const salesforce = element('salesforce');
    expect(() =>
      salesforce.planHubRequest({ url: "/hubs/crm/accounts?since=2024-04-30T09:00:00Z OR Name != ''" }),
    ).toThrow(/does not have the form/);
  });

  it('maps an invalid_grant refresh to permanent with the OAuth error, without the secret', async () => {
    const salesforce = element('salesforce');
    handler = (_request, _text, response) =>
      json(response, 400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
    const error = await salesforce
      .refreshTokens(configuration(), 'refresh-1')
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'permanent', oauthError: 'invalid_grant', status: 400 });
  });
});

describe('zendesk (basic with an API token, cursor export)', () => {
  it('sends start_time first, then only the cursor, until end_of_stream', async () => {
    const zendesk = element('zendesk');
    const configuration = {
      'zendesk.url': origin,
      'zendesk.email': 'agent@acme.test',
      'zendesk.apiToken': 'zd-api-token',
    };
    const tokens = await zendesk.exchangeCode(configuration, '');
    const queries: string[] = [];
    handler = (request, _text, response) => {
      const url = new URL(request.url ?? '/', origin);
      expect(request.headers.authorization).toBe(
        `Basic ${Buffer.from('agent@acme.test/token:zd-api-token').toString('base64')}`,
      );
      queries.push(url.search);
      const cursor = Number(url.searchParams.get('cursor') ?? '0');
      json(response, 200, {
        tickets: [{ id: cursor + 1, updated_at: SHARED }],
        after_cursor: String(cursor + 1),
        end_of_stream: cursor === 2,
      });
    };
    const records = await walk(
      zendesk,
      '/hubs/helpdesk/tickets?start_time=1714467600',
      configuration,
      tokens.accessToken,
    );
    expect(records.map((record) => record['id'])).toEqual([1, 2, 3]);
    expect(queries).toEqual([
      '?start_time=1714467600&per_page=1000',
      '?per_page=1000&cursor=1',
      '?per_page=1000&cursor=2',
    ]);
  });
});

describe('linkNext', () => {
  it('finds rel="next" among others, and nothing when absent', () => {
    expect(linkNext('<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel="next"')).toBe(
      'https://a/x?page=3',
    );
    expect(linkNext('<https://a/x?page=9>; rel="last"')).toBeUndefined();
    expect(linkNext(undefined)).toBeUndefined();
  });
});
