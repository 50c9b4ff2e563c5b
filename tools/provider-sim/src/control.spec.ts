import { createProviderSimulator, type ProviderSimulator } from './server';
import { ProviderSimClient } from './sim-client';

interface RecordView {
  provider: string;
  collection: string;
  id: string;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
  fields: Record<string, unknown>;
}

describe('provider-sim: control API', () => {
  let sim: ProviderSimulator;
  let client: ProviderSimClient;

  beforeAll(async () => {
    sim = await createProviderSimulator();
    client = new ProviderSimClient(sim.url);
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
  });

  it('creates, reads, updates and deletes records; the change log follows; GitHub collections are URL-encoded', async () => {
    await client.control('POST', '/clock/freeze', { at: '2024-03-01T10:00:00Z' });
    const created = await client.control<RecordView>(
      'POST',
      `/records/github/${encodeURIComponent('acme/widgets')}`,
      {
        title: 'Crash',
        state: 'open',
      },
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual(
      expect.objectContaining({
        provider: 'github',
        collection: 'acme/widgets',
        id: '1',
        createdAt: '2024-03-01T10:00:00.000Z',
        fields: expect.objectContaining({ title: 'Crash' }),
      }),
    );
    await client.control('POST', '/clock/advance', { seconds: 90 });
    const path = `/records/github/${encodeURIComponent('acme/widgets')}/1`;
    const updated = await client.control<RecordView>('PATCH', path, { state: 'closed' });
    expect(updated.body.updatedAt).toBe('2024-03-01T10:01:30.000Z');
    expect((await client.control<RecordView>('GET', path)).body.fields['state']).toBe('closed');
    expect((await client.control('DELETE', path)).status).toBe(200);
    expect((await client.control('GET', path)).status).toBe(404);
    expect((await client.control('PATCH', path, {})).status).toBe(404);
    const changes = await client.control<{ changes: { change: string; id: string; updatedAt: string }[] }>(
      'GET',
      '/changes?provider=github',
    );
    expect(changes.body.changes.map((entry) => entry.change)).toEqual(['created', 'updated', 'deleted']);
  });

  it('keeps Zendesk deletes as records marked deleted (its incremental export shows them)', () => {
    const ticket = sim.store.create('zendesk', 'tickets', { subject: 'Help' });
    sim.store.delete('zendesk', 'tickets', ticket.id);
    expect(sim.store.collection('zendesk', 'tickets').get(ticket.id)?.deleted).toBe(true);
    expect(() => sim.store.delete('zendesk', 'tickets', ticket.id)).toThrow("no record '1'");
  });

  it('seeds deterministically with shared timestamps and reports them', async () => {
    const body = {
      provider: 'salesforce',
      collection: 'Account',
      count: 1000,
      seed: 7,
      from: '2024-01-01T00:00:00Z',
      to: '2024-01-01T00:00:09Z',
    };
    const seeded = await client.control<{ total: number; distinctTimestamps: number }>('POST', '/seed', body);
    expect(seeded.body).toEqual(expect.objectContaining({ total: 1000, distinctTimestamps: 10 }));
    const first = sim.store
      .collection('salesforce', 'Account')
      .all()
      .map((r) => [r.id, r.updatedMs, r.fields['Name']]);
    sim.reset();
    await client.control('POST', '/seed', body);
    expect(
      sim.store
        .collection('salesforce', 'Account')
        .all()
        .map((r) => [r.id, r.updatedMs, r.fields['Name']]),
    ).toEqual(first);
    const stats = await client.control<{ records: number; collections: unknown[] }>('GET', '/stats');
    expect(stats.body.records).toBe(1000);
    expect(stats.body.collections).toEqual([
      { provider: 'salesforce', collection: 'Account', records: 1000 },
    ]);
  });

  it.each([
    ['/seed', { provider: 'salesforce', collection: 'Account', count: 0 }, 'count'],
    ['/seed', { provider: 'oracle', collection: 'x', count: 1 }, 'provider'],
    ['/seed', { provider: 'hubspot', collection: 'widgets', count: 1 }, 'collection'],
    ['/seed', { provider: 'github', collection: '../etc', count: 1 }, 'collection'],
    ['/records/salesforce/Account', { Name: { nested: true } }, 'Name'],
    ['/records/nope/Account', {}, 'provider'],
    ['/faults', { kind: 'rateLimit', status: 500 }, 'status'],
    ['/faults', { kind: 'slow' }, 'delayMs'],
    ['/faults', { kind: 'explode' }, 'kind'],
    ['/credentials', { provider: 'zendesk', token: 'x' }, ''],
    ['/github/rate-limit', { limit: -1 }, 'limit'],
  ])('POST %s %j → 400 naming %s', async (path, body, field) => {
    const answer = await client.control<{ error: string; message: string }>('POST', path, body);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain(field);
  });

  it('refuses bad JSON and unknown endpoints', async () => {
    const broken = await client.control<{ error: string }>('POST', '/seed', '{');
    expect([broken.status, broken.body.error]).toEqual([400, 'invalid_json']);
    expect((await client.control('GET', '/nothing')).status).toBe(404);
    expect((await client.control('GET', '/records/github/%E0%A4%A')).status).toBe(400);
  });

  it('manages credentials and Salesforce tokens; the request log keeps no secrets', async () => {
    await client.control('POST', '/credentials', {
      provider: 'zendesk',
      email: 'x@example.com',
      apiToken: 'secret-1',
    });
    expect(sim.credentials.isValid('zendesk', 'x@example.com/token:secret-1')).toBe(true);
    await client.control('POST', '/credentials/revoke', { provider: 'hubspot' });
    const revoked = await client.hubspotSearch('contacts', {}, 'pat-na1-sim-hubspot-token');
    expect(revoked.status).toBe(401);
    const tokens = await client.control<{ access_token: string; instance_url: string }>(
      'POST',
      '/oauth/tokens',
      {},
    );
    expect(tokens.body.instance_url).toBe(sim.url);
    expect((await client.salesforceQuery('SELECT Id FROM Account', tokens.body.access_token)).status).toBe(
      200,
    );
    await client.control('POST', '/oauth/expire');
    expect((await client.salesforceQuery('SELECT Id FROM Account', tokens.body.access_token)).status).toBe(
      401,
    );
    const log = await client.control<{ requests: unknown[] }>('GET', '/requests');
    const text = JSON.stringify(log.body);
    expect(text).not.toContain(tokens.body.access_token);
    expect(text).toContain('SELECT Id FROM Account');
  });

  it('applies slow, timeout, serverError, unauthorized and malformedJson faults, then answers normally', async () => {
    sim.store.create('github', 'acme/widgets', {});
    const token = 'ghp_simGithubToken';
    sim.faults.add({ kind: 'serverError', status: 502, path: '/repos/*' });
    expect((await client.githubIssues('acme/widgets', {}, token)).status).toBe(502);
    sim.faults.add({ kind: 'unauthorized' });
    expect((await client.githubIssues('acme/widgets', {}, token)).status).toBe(401);
    sim.faults.add({ kind: 'malformedJson' });
    const malformed = await client.githubIssues('acme/widgets', {}, token);
    expect(malformed.status).toBe(200);
    expect(malformed.body).toBeUndefined();
    sim.faults.add({ kind: 'slow', delayMs: 50 });
    expect((await client.githubIssues('acme/widgets', {}, token)).status).toBe(200);
    sim.faults.add({ kind: 'timeout', holdMs: 60_000 });
    const aborted = client.githubIssues('acme/widgets', {}, token, AbortSignal.timeout(300));
    await expect(aborted).rejects.toThrow();
    expect((await client.githubIssues('acme/widgets', {}, token)).status).toBe(200);
    const log = sim.requests.list({ path: '/repos/acme/widgets/issues' });
    expect(log.map((entry) => entry.fault ?? null)).toEqual([
      'serverError',
      'unauthorized',
      'malformedJson',
      'slow',
      'timeout',
      null,
    ]);
  });

  it('answers an unknown provider path 404 without matching a fault', async () => {
    sim.faults.add({ kind: 'serverError' });
    expect((await client.request('GET', '/nowhere')).status).toBe(404);
    expect(sim.faults.list()).toHaveLength(1);
  });
});
