// The built-in definitions against the in-process provider simulator (tools/provider-sim), over real
// HTTP: 10,000 records sharing timestamps paged without loss or repeat, OAuth with instance_url and
// refresh, and the simulator's rate-limit and credential faults mapped as the poller expects.
import { createProviderSimulator, type ProviderSimulator } from '@pollcast/provider-sim';
import { callWithTokenRefresh, ProviderError, type AccessTokenProvider } from '../errors';
import type { ElementAdapter, ElementConfiguration, HubResponse } from '../types';
import { createDeclarativeAdapter } from './engine';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_IN_DEFINITIONS_FOLDER } from '../catalog';
import { parseElementDefinition } from './load';

jest.setTimeout(120_000);

const RECORDS = 10_000;
let sim: ProviderSimulator;
const adapters: ElementAdapter[] = [];

beforeAll(async () => {
  sim = await createProviderSimulator({ port: 0 });
});

afterAll(async () => {
  await Promise.all(adapters.map((adapter) => adapter.close()));
  await sim.close();
});

beforeEach(() => sim.reset());

function element(key: string): ElementAdapter {
  const file = join(BUILT_IN_DEFINITIONS_FOLDER, key, 'element.json');
  const adapter = createDeclarativeAdapter(parseElementDefinition(readFileSync(file, 'utf8'), file), {
    outbound: { allowedHosts: [new URL(sim.url).host] },
  });
  adapters.push(adapter);
  return adapter;
}

/** Every page of one poll, as the poller walks them (a plan reused for every page). */
async function walk(
  adapter: ElementAdapter,
  url: string,
  configuration: ElementConfiguration,
  token: AccessTokenProvider,
): Promise<Record<string, unknown>[]> {
  const plan = adapter.planHubRequest({ url });
  const records: Record<string, unknown>[] = [];
  let pageToken: string | undefined;
  do {
    const page: HubResponse = await callWithTokenRefresh(token, (accessToken) =>
      adapter.executeHubRequest({
        configuration,
        accessToken,
        plan,
        ...(pageToken === undefined ? {} : { pageToken }),
      }),
    );
    records.push(...page.records);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return records;
}

const FROM = new Date('2024-01-15T16:54:00Z');
const TO = new Date('2024-01-15T16:54:09Z');

function expectEveryOnce(records: Record<string, unknown>[], idField: string): void {
  const ids = records.map((record) => String(record[idField]));
  expect(ids).toHaveLength(RECORDS);
  expect(new Set(ids).size).toBe(RECORDS);
}

it('github: 10,000 issues over 10 seconds through Link pages; a 429 carries Retry-After; a 401 asks for the credential once more', async () => {
  sim.store.seed('github', 'acme/widgets', { count: RECORDS, from: FROM, to: TO });
  const github = element('github');
  const configuration = {
    'github.token': 'ghp_simGithubToken',
    'github.owner': 'acme',
    'github.repo': 'widgets',
    'github.url': sim.url,
  };
  const credential = (await github.exchangeCode(configuration, '')).accessToken;
  const records = await walk(github, '/hubs/code/issues?since=2024-01-15T16:54:00Z', configuration, () =>
    Promise.resolve(credential),
  );
  expectEveryOnce(records, 'id');

  sim.faults.add({ kind: 'rateLimit', path: '/repos/*', count: 1, retryAfterSeconds: 2, status: 429 });
  const limited = await walk(github, '/hubs/code/issues?since=2024-01-15T16:54:00Z', configuration, () =>
    Promise.resolve(credential),
  ).catch((error: unknown) => error);
  expect(limited).toBeInstanceOf(ProviderError);
  expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });

  sim.faults.add({ kind: 'unauthorized', path: '/repos/*', count: 1 });
  let asked = 0;
  const refreshed = await walk(github, '/hubs/code/issues?since=2024-01-15T16:54:05Z', configuration, () => {
    asked += 1;
    return Promise.resolve(credential);
  });
  expect(asked).toBeGreaterThanOrEqual(2);
  expect(refreshed.length).toBeGreaterThan(0);
});

it('hubspot: 10,000 contacts sharing timestamps through the search cursor (the 10,000 cap reached, not passed)', async () => {
  sim.store.seed('hubspot', 'contacts', { count: RECORDS, from: FROM, to: TO });
  const hubspot = element('hubspot');
  const configuration = { 'hubspot.token': 'pat-na1-sim-hubspot-token', 'hubspot.url': sim.url };
  const credential = (await hubspot.exchangeCode(configuration, '')).accessToken;
  const records = await walk(hubspot, `/hubs/crm/contacts?since=${FROM.getTime()}`, configuration, () =>
    Promise.resolve(credential),
  );
  expectEveryOnce(records, 'id');

  sim.faults.add({ kind: 'rateLimit', path: '/crm/*', count: 1, retryAfterSeconds: 1 });
  await expect(
    walk(hubspot, `/hubs/crm/contacts?since=${FROM.getTime()}`, configuration, () =>
      Promise.resolve(credential),
    ),
  ).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
});

it('salesforce: OAuth code with instance_url, 10,000 accounts through nextRecordsUrl, an expired token refreshed', async () => {
  sim.store.seed('salesforce', 'Account', { count: RECORDS, from: FROM, to: TO });
  const salesforce = element('salesforce');
  const configuration = {
    'oauth.api.key': 'pollcast-dev',
    'oauth.api.secret': 'pollcast-dev-secret',
    'oauth.callback.url': 'https://app.example.com/oauth/callback',
    'salesforce.loginUrl': sim.url,
  };
  const consent = await fetch(`${salesforce.authorizeUrl(configuration, 'state-1')}&auto=1`, {
    redirect: 'manual',
  });
  const code = new URL(consent.headers.get('location') ?? 'x:/').searchParams.get('code');
  expect(code).not.toBeNull();
  let tokens = await salesforce.exchangeCode(configuration, code ?? '');
  let refreshes = 0;
  const token = async (request: { forceRefresh: boolean }): Promise<string> => {
    if (request.forceRefresh) {
      refreshes += 1;
      tokens = await salesforce.refreshTokens(configuration, tokens.refreshToken);
    }
    return tokens.accessToken;
  };
  const records = await walk(salesforce, '/hubs/crm/accounts?since=2024-01-15T16:54:00Z', configuration, () =>
    token({ forceRefresh: false }),
  );
  expectEveryOnce(records, 'Id');
  expect(records[0]).toMatchObject({ SystemModstamp: '2024-01-15T16:54:00.000+0000' });

  sim.oauth.expireAccessTokens();
  const again = await walk(salesforce, '/hubs/crm/accounts?since=2024-01-15T16:54:09Z', configuration, token);
  expect(refreshes).toBe(1);
  expect(again.length).toBeGreaterThan(0);
});
