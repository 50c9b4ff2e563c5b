import { DEFAULT_CREDENTIALS } from '../credentials';
import { createProviderSimulator, type ProviderSimulator } from '../server';
import { ProviderSimClient } from '../sim-client';

interface SearchAnswer {
  total: number;
  results: {
    id: string;
    properties: Record<string, string | null>;
    createdAt: string;
    updatedAt: string;
    archived: boolean;
  }[];
  paging?: { next: { after: string } };
}
interface HubSpotError {
  status: string;
  message: string;
  category: string;
  correlationId: string;
}

const TOKEN = DEFAULT_CREDENTIALS.hubspotToken;
const since = (operator: 'GT' | 'GTE', value: string, after?: string, limit = 200) => ({
  filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator, value }] }],
  sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
  properties: ['email'],
  limit,
  ...(after === undefined ? {} : { after }),
});

// Paging 10,000 records takes a few hundred requests; generous for a loaded machine.
jest.setTimeout(120_000);

describe('provider-sim: HubSpot CRM search', () => {
  let sim: ProviderSimulator;
  let client: ProviderSimClient;
  const t0 = new Date('2024-01-15T16:54:00Z');

  beforeAll(async () => {
    sim = await createProviderSimulator();
    client = new ProviderSimClient(sim.url);
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
    sim.clock.freeze(new Date('2024-02-01T00:00:00Z'));
  });

  it('refuses a missing or unknown token with 401 INVALID_AUTHENTICATION', async () => {
    const unknown = await client.hubspotSearch<HubSpotError>('contacts', {}, 'pat-na1-wrong');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(
      expect.objectContaining({ status: 'error', category: 'INVALID_AUTHENTICATION' }),
    );
    const none = await client.request('POST', '/crm/v3/objects/contacts/search', { body: '{}' });
    expect(none.status).toBe(401);
    sim.credentials.add('hubspot', 'pat-na1-second');
    expect((await client.hubspotSearch('contacts', {}, 'pat-na1-second')).status).toBe(200);
  });

  it('pages 10,000 contacts sharing 50 timestamps with after (limit 200): none lost, none repeated, in order', async () => {
    sim.store.seed('hubspot', 'contacts', { count: 10_000, from: t0, to: new Date(t0.getTime() + 49_000) });
    const seen: SearchAnswer['results'] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await client.hubspotSearch<SearchAnswer>(
        'contacts',
        since('GTE', t0.toISOString(), after),
        TOKEN,
      );
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(10_000);
      pages += 1;
      seen.push(...page.body.results);
      after = page.body.paging?.next.after;
      if (after === undefined) break;
    }
    expect(pages).toBe(50);
    expect(new Set(seen.map((r) => r.id)).size).toBe(10_000);
    const stamps = seen.map((r) => r.properties['lastmodifieddate'] ?? '');
    expect([...stamps].sort()).toEqual(stamps);
    expect(seen[0]).toEqual(
      expect.objectContaining({
        archived: false,
        createdAt: t0.toISOString(),
        properties: expect.objectContaining({
          email: expect.stringContaining('@example.com'),
          hs_object_id: seen[0]?.id,
        }),
      }),
    );
  });

  it('GT excludes the boundary millisecond, GTE includes it; epoch-millisecond values work as ISO ones', async () => {
    sim.store.seed('hubspot', 'contacts', { count: 30, from: t0, to: new Date(t0.getTime() + 2000) });
    const atBoundary = sim.store
      .collection('hubspot', 'contacts')
      .all()
      .filter((r) => r.updatedMs === t0.getTime()).length;
    const gt = await client.hubspotSearch<SearchAnswer>('contacts', since('GT', String(t0.getTime())), TOKEN);
    const gte = await client.hubspotSearch<SearchAnswer>('contacts', since('GTE', t0.toISOString()), TOKEN);
    expect(gte.body.total).toBe(30);
    expect(gt.body.total).toBe(30 - atBoundary);
  });

  it('stops at 10,000 results: an after of 10000 is a 400, and the last page has no paging', async () => {
    sim.store.seed('hubspot', 'contacts', { count: 10_050, from: t0, to: t0 });
    const last = await client.hubspotSearch<SearchAnswer>(
      'contacts',
      since('GTE', t0.toISOString(), '9800'),
      TOKEN,
    );
    expect(last.body.total).toBe(10_050);
    expect(last.body.results).toHaveLength(200);
    expect(last.body.paging).toBeUndefined();
    const beyond = await client.hubspotSearch<HubSpotError>(
      'contacts',
      since('GTE', t0.toISOString(), '10000'),
      TOKEN,
    );
    expect(beyond.status).toBe(400);
    expect(beyond.body.category).toBe('VALIDATION_ERROR');
  });

  it('uses hs_lastmodifieddate for companies and deals', async () => {
    sim.store.create('hubspot', 'companies', { name: 'Acme' });
    const answer = await client.hubspotSearch<SearchAnswer>(
      'companies',
      { filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: '0' }] }] },
      TOKEN,
    );
    expect(answer.body.results[0]?.properties).toEqual(
      expect.objectContaining({ name: 'Acme', hs_lastmodifieddate: '2024-02-01T00:00:00.000Z' }),
    );
  });

  it.each([
    ['not JSON', '{"filterGroups":'],
    ['limit over 200', JSON.stringify({ limit: 201 })],
    [
      'an unknown operator',
      JSON.stringify({ filterGroups: [{ filters: [{ propertyName: 'x', operator: 'LIKE', value: 'a' }] }] }),
    ],
    ['a date that is not one', JSON.stringify(since('GT', 'yesterday'))],
    [
      'six filter groups',
      JSON.stringify({ filterGroups: Array.from({ length: 6 }, () => ({ filters: [] })) }),
    ],
    ['an unknown body field', JSON.stringify({ filterGroup: [] })],
    ['an oversized value', JSON.stringify(since('GT', 'x'.repeat(5000)))],
    ['a non-numeric after', JSON.stringify({ after: 'abc' })],
  ])('answers %s with 400 VALIDATION_ERROR', async (_name, body) => {
    const answer = await client.hubspotSearch<HubSpotError>('contacts', body, TOKEN);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(expect.objectContaining({ status: 'error', category: 'VALIDATION_ERROR' }));
  });

  it('answers an unknown object type with 400 and a rate-limit fault with 429 and its headers', async () => {
    expect((await client.hubspotSearch('widgets', {}, TOKEN)).status).toBe(400);
    sim.faults.add({ kind: 'rateLimit', path: '/crm/*', retryAfterSeconds: 2, count: 2 });
    const limited = await client.hubspotSearch<HubSpotError & { errorType: string }>('contacts', {}, TOKEN);
    expect(limited.status).toBe(429);
    expect(limited.body.errorType).toBe('RATE_LIMIT');
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('x-hubspot-ratelimit-secondly-remaining')).toBe('0');
    expect((await client.hubspotSearch('contacts', {}, TOKEN)).status).toBe(429);
    expect((await client.hubspotSearch('contacts', {}, TOKEN)).status).toBe(200);
  });
});
