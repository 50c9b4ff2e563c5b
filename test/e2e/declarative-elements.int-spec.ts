// End to end for the declarative elements: the whole platform as processes (two pollers, normalizers
// and dispatchers) against tools/provider-sim, one test per definition. Each seeds 10,000 records that
// share timestamps (~1,000 a second) after the instance exists, injects a 429 with Retry-After and a
// credential failure (a 401 that makes the poller ask instance-service for a fresh credential, or an
// expired Salesforce token that is refreshed) while the poller pages, and checks the signed callbacks:
// every record exactly once as CREATED, no change delivered twice under different webhook ids.
import { Webhook } from 'standardwebhooks';
import { waitFor } from '@pollcast/testing';
import { startPlatform, type RunningPlatform } from '../support/platform';
import {
  elementsSignature,
  eventsOf,
  SIM_CLIENT,
  sinkRequests,
  type SinkRequest,
} from '../support/e2e-helpers';

const SIGNATURE_KEY = 'e2e-elements-signing-key-0123';
const RECORDS = 10_000;
const HUBSPOT_TOKEN = 'pat-na1-sim-hubspot-token';
const GITHUB_TOKEN = 'ghp_simGithubToken';

describe('end to end: declarative elements against the provider simulator', () => {
  let platform: RunningPlatform;

  beforeAll(async () => {
    platform = await startPlatform({ replicas: { 'poller-service': 2, normalizer: 2, dispatcher: 2 } });
  }, 240000);

  afterAll(async () => {
    await platform?.stop();
  });

  async function control(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${platform.providerSimUrl}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} /_sim${path} → ${response.status}: ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }

  async function createInstance(body: Record<string, unknown>): Promise<string> {
    const response = await fetch(`${platform.instanceServiceUrl}/elements/api-v2/instances`, {
      method: 'POST',
      headers: { authorization: platform.authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const created = (await response.json()) as { id: string | number };
    if (response.status !== 200)
      throw new Error(`POST /instances → ${response.status}: ${JSON.stringify(created)}`);
    return String(created.id);
  }

  function events(hook: string, resource: string, configuration: Record<string, unknown>, url: string) {
    return {
      'event.notification.enabled': true,
      'event.vendor.type': 'polling',
      'event.notification.callback.url': `${platform.sinkUrl}${hook}`,
      'event.notification.signature.key': SIGNATURE_KEY,
      'event.poller.refresh_interval': '2',
      'event.poller.configuration': { [resource]: { url, ...configuration } },
    };
  }

  /** Seeds RECORDS records sharing timestamps, starting a little after now (the instance exists). */
  async function seed(provider: string, collection: string): Promise<void> {
    const from = new Date(Date.now() + 2000);
    const to = new Date(from.getTime() + 9000);
    await control('POST', '/seed', {
      provider,
      collection,
      count: RECORDS,
      from: from.toISOString(),
      to: to.toISOString(),
    });
  }

  /** Every record once, CREATED; nothing under two webhook ids; signed with both signature schemes. */
  async function expectDelivered(hook: string, instanceId: string, resource: string): Promise<void> {
    let requests: SinkRequest[] = [];
    await waitFor(
      async () => {
        requests = await sinkRequests(platform.sinkUrl, hook);
        return new Set(eventsOf(requests).map((event) => event.objectId)).size >= RECORDS;
      },
      { what: `${RECORDS} records at ${hook}`, timeoutMs: 240000, intervalMs: 2000 },
    );
    // A few more polls: nothing else may arrive (the overlap re-reads, the dedupe drops).
    await new Promise((resolve) => setTimeout(resolve, 6000));
    requests = await sinkRequests(platform.sinkUrl, hook);
    const delivered = eventsOf(requests);
    expect(new Set(delivered.map((event) => event.objectId)).size).toBe(RECORDS);
    expect(delivered.every((event) => event.instanceId === instanceId)).toBe(true);
    expect(delivered.every((event) => event.objectType === resource && event.eventType === 'CREATED')).toBe(
      true,
    );
    const webhookIds = new Map<string, Set<string>>();
    for (const event of delivered)
      webhookIds.set(event.objectId, (webhookIds.get(event.objectId) ?? new Set()).add(event.webhookId));
    expect([...webhookIds.values()].filter((ids) => ids.size > 1)).toEqual([]);
    const verifier = new Webhook(`whsec_${Buffer.from(SIGNATURE_KEY).toString('base64')}`);
    for (const request of requests.filter((candidate) => candidate.response.status < 300)) {
      expect(request.headers['elements-webhook-signature']).toBe(
        elementsSignature(SIGNATURE_KEY, request.body),
      );
      expect(() => verifier.verify(request.body, request.headers)).not.toThrow();
    }
  }

  /** Statuses the simulator answered on paths starting with `prefix` (its log keeps the last 10,000). */
  async function providerStatuses(prefix: string): Promise<number[]> {
    const log = (await control('GET', '/requests')) as { requests: { path: string; status: number }[] };
    return log.requests.filter((request) => request.path.startsWith(prefix)).map((request) => request.status);
  }

  it('github: bearer token, Link paging over 10,000 issues, 429 Retry-After, a 401 answered with a fresh credential', async () => {
    const instanceId = await createInstance({
      element: { key: 'github' },
      name: 'acme/widgets issues',
      configuration: {
        'github.token': GITHUB_TOKEN,
        'github.owner': 'acme',
        'github.repo': 'widgets',
        'github.url': platform.providerSimUrl,
        ...events(
          '/hooks/github',
          'issues',
          {},
          "/hubs/code/issues?since=${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}",
        ),
      },
    });
    await control('POST', '/faults', {
      kind: 'rateLimit',
      path: '/repos/*',
      count: 1,
      retryAfterSeconds: 1,
      status: 429,
    });
    await control('POST', '/faults', { kind: 'unauthorized', path: '/repos/*', count: 1 });
    await seed('github', 'acme/widgets');
    await expectDelivered('/hooks/github', instanceId, 'issues');
    const statuses = await providerStatuses('/repos/acme/widgets/issues');
    expect(statuses).toContain(429);
    expect(statuses).toContain(401);
  }, 420000);

  it('hubspot: private app token, POST search with a templated filter, body cursor over 10,000 contacts, 429, 401', async () => {
    const instanceId = await createInstance({
      element: { key: 'hubspot' },
      name: 'hubspot contacts',
      configuration: {
        'hubspot.token': HUBSPOT_TOKEN,
        'hubspot.url': platform.providerSimUrl,
        ...events('/hooks/hubspot', 'contacts', {}, '/hubs/crm/contacts?since=${epoch:ms}'),
      },
    });
    await control('POST', '/faults', { kind: 'rateLimit', path: '/crm/*', count: 1, retryAfterSeconds: 1 });
    await control('POST', '/faults', { kind: 'unauthorized', path: '/crm/*', count: 1 });
    await seed('hubspot', 'contacts');
    await expectDelivered('/hooks/hubspot', instanceId, 'contacts');
    const statuses = await providerStatuses('/crm/v3/objects/contacts/search');
    expect(statuses).toContain(429);
    expect(statuses).toContain(401);
  }, 420000);

  it('salesforce: OAuth code with instance_url, SOQL with nextRecordsUrl over 10,000 accounts, 429, an expired token refreshed', async () => {
    const redirectUri = 'https://mycoolapp.com/oauth/callback';
    const oauthUrl = await fetch(
      `${platform.instanceServiceUrl}/elements/api-v2/elements/salesforce/oauth/url?${new URLSearchParams({
        apiKey: SIM_CLIENT.id,
        apiSecret: SIM_CLIENT.secret,
        callbackUrl: redirectUri,
        'salesforce.loginUrl': platform.providerSimUrl,
      }).toString()}`,
      { headers: { authorization: platform.authorization } },
    ).then(async (response) => ((await response.json()) as { oauthUrl: string }).oauthUrl);
    const consent = await fetch(`${oauthUrl}&auto=1`, { redirect: 'manual' });
    const code = new URL(consent.headers.get('location') ?? 'x:/').searchParams.get('code');
    if (code === null) throw new Error(`no code from the simulator (${consent.status})`);
    const instanceId = await createInstance({
      element: { key: 'salesforce' },
      name: 'salesforce accounts',
      providerData: { code },
      configuration: {
        'oauth.api.key': SIM_CLIENT.id,
        'oauth.api.secret': SIM_CLIENT.secret,
        'oauth.callback.url': redirectUri,
        'salesforce.loginUrl': platform.providerSimUrl,
        ...events(
          '/hooks/salesforce',
          'accounts',
          {},
          "/hubs/crm/accounts?since=${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}",
        ),
      },
    });
    await control('POST', '/faults', {
      kind: 'rateLimit',
      path: '/services/data/*',
      count: 1,
      retryAfterSeconds: 1,
    });
    await seed('salesforce', 'Account');
    // Every access token stops working: the poller's next call gets 401 and instance-service refreshes.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await control('POST', '/oauth/expire');
    await expectDelivered('/hooks/salesforce', instanceId, 'accounts');
    const statuses = await providerStatuses('/services/data/');
    expect(statuses).toContain(429);
    const tokenStatuses = await providerStatuses('/services/oauth2/token');
    // The code exchange and at least one refresh.
    expect(tokenStatuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses).toContain(401);
  }, 420000);
});
