import { type MaximizerSimulator, createMaximizerSimulator } from './index';
import { SimulatorClient } from './sim-client';

interface ValidationBody {
  error: string;
  message: string;
  issues?: { path: string; message: string }[];
}

describe('control API', () => {
  let sim: MaximizerSimulator;
  let client: SimulatorClient;

  beforeEach(async () => {
    sim = await createMaximizerSimulator({ port: 0, zone: 'America/Toronto' });
    client = new SimulatorClient(sim.url);
  });
  afterEach(() => sim.close());

  it('answers health probes', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      const response = await fetch(`${sim.url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
    }
  });

  it('creates, reads, updates and deletes records, and logs the changes', async () => {
    await client.control('POST', '/clock/freeze', { at: '2026-01-15T16:54:00Z' });
    const company = await client.control<Record<string, string>>('POST', '/records/AbEntry', {
      Type: 'Company',
      CompanyName: 'Acme',
    });
    expect(company.status).toBe(201);
    const key = company.body['Key'] ?? '';
    await client.control('POST', '/clock/advance', { seconds: 30 });
    const updated = await client.control<Record<string, string>>(
      'PATCH',
      `/records/AbEntry/${encodeURIComponent(key)}`,
      { City: 'Toronto' },
    );
    expect(updated.body).toMatchObject({ City: 'Toronto', LastModifyDate: '2026-01-15T11:54:30-05:00' });
    const fetched = await client.control('GET', `/records/AbEntry/${encodeURIComponent(key)}`);
    expect(fetched.body).toEqual(updated.body);
    expect((await client.control('DELETE', `/records/AbEntry/${encodeURIComponent(key)}`)).status).toBe(200);
    expect((await client.control('GET', `/records/AbEntry/${encodeURIComponent(key)}`)).status).toBe(404);

    const changes = await client.control<{ changes: Record<string, unknown>[] }>('GET', '/changes?since=1');
    expect(changes.body.changes).toEqual([
      {
        seq: 2,
        entity: 'AbEntry',
        Key: key,
        recordType: 'Company',
        change: 'updated',
        LastModifyDate: '2026-01-15T11:54:30-05:00',
        at: '2026-01-15T16:54:30.000Z',
      },
      expect.objectContaining({ seq: 3, change: 'deleted', LastModifyDate: '2026-01-15T11:54:30-05:00' }),
    ]);
  });

  it('seeds, reports stats and resets', async () => {
    const seeded = await client.control<{ total: number; created: Record<string, number> }>('POST', '/seed', {
      count: 500,
      seed: 7,
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-01T00:00:59Z',
    });
    expect(seeded.status).toBe(200);
    expect(seeded.body.total).toBe(500);
    const stats = await client.control<{ records: number }>('GET', '/stats');
    expect(stats.body.records).toBe(500);
    // Seeded records are pre-existing data, not changes, unless asked for.
    expect((await client.control<{ changes: unknown[] }>('GET', '/changes')).body.changes).toEqual([]);
    await client.control('POST', '/reset');
    expect((await client.control<{ records: number }>('GET', '/stats')).body.records).toBe(0);
  });

  it('freezes, sets, advances and unfreezes the clock', async () => {
    const frozen = await client.control<{ now: string; frozen: boolean }>('POST', '/clock/freeze', {
      at: '2026-05-01T00:00:00Z',
    });
    expect(frozen.body).toMatchObject({ now: '2026-05-01T00:00:00.000Z', frozen: true });
    await client.control('POST', '/clock/advance', { ms: 1500 });
    expect((await client.control<{ now: string }>('GET', '/clock')).body.now).toBe(
      '2026-05-01T00:00:01.500Z',
    );
    await client.control('POST', '/clock/set', { at: '2027-01-01T00:00:00+01:00' });
    expect(sim.clock.now().toISOString()).toBe('2026-12-31T23:00:00.000Z');
    const running = await client.control<{ frozen: boolean }>('POST', '/clock/unfreeze');
    expect(running.body.frozen).toBe(false);
    expect(sim.clock.nowMs()).toBeGreaterThanOrEqual(Date.parse('2026-12-31T23:00:00.000Z'));
  });

  it('lists received provider requests with a secret-free summary', async () => {
    const token = sim.oauth.issueTokens('pollcast-dev').access_token;
    await client.octopus(
      'Read',
      { AbEntry: { PageSize: 5, Criteria: { SearchQuery: { City: { $EQ: 'x' } } } } },
      token,
    );
    await client.token({
      grant_type: 'refresh_token',
      refresh_token: 'secret-value',
      client_id: 'pollcast-dev',
      client_secret: 'pollcast-dev-secret',
    });
    const listed = await client.control<{ requests: Record<string, unknown>[] }>('GET', '/requests');
    expect(listed.body.requests).toEqual([
      expect.objectContaining({
        seq: 1,
        method: 'POST',
        path: '/octopus/Read',
        status: 200,
        summary: expect.objectContaining({
          operation: 'Read',
          entity: 'AbEntry',
          pageSize: 5,
          pageKey: false,
        }),
      }),
      expect.objectContaining({ seq: 2, path: '/OAuth2/sim/Token', status: 400 }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain('secret');
    expect(
      (await client.control<{ requests: unknown[] }>('GET', '/requests?since=1')).body.requests,
    ).toHaveLength(1);
  });

  it('mints tokens and expires them', async () => {
    const minted = await client.control<{ access_token: string; expires_in: number }>(
      'POST',
      '/oauth/tokens',
      {
        accessTokenTtlSeconds: 30,
      },
    );
    expect(minted.body.expires_in).toBe(30);
    expect(sim.oauth.isValidAccessToken(minted.body.access_token)).toBe(true);
    await client.control('POST', '/oauth/expire');
    expect(sim.oauth.isValidAccessToken(minted.body.access_token)).toBe(false);
  });

  it.each<[string, string, string, unknown, string]>([
    ['seed count', 'POST', '/seed', { count: 0 }, 'count:'],
    ['seed unknown field', 'POST', '/seed', { count: 1, colour: 'red' }, 'colour'],
    ['seed from', 'POST', '/seed', { count: 1, from: 'yesterday' }, 'from:'],
    ['seed mix', 'POST', '/seed', { count: 1, mix: { Lead: 1 } }, 'Lead'],
    ['fault kind', 'POST', '/faults', { kind: 'explode' }, 'kind:'],
    ['fault slow without delay', 'POST', '/faults', { kind: 'slow' }, 'delayMs:'],
    ['fault option of another kind', 'POST', '/faults', { kind: 'rateLimit', status: 500 }, 'status:'],
    ['fault count', 'POST', '/faults', { kind: 'serverError', count: -1 }, 'count:'],
    ['fault path', 'POST', '/faults', { kind: 'serverError', path: 'octopus' }, 'path:'],
    ['clock advance', 'POST', '/clock/advance', {}, 'ms:'],
    ['clock set', 'POST', '/clock/set', { at: 12 }, 'at:'],
    ['oauth client', 'POST', '/oauth/clients', { clientId: 'x' }, 'clientSecret:'],
    ['record entity', 'POST', '/records/Lead', {}, 'entity:'],
    ['record body', 'POST', '/records/AbEntry', [1], '(body):'],
    ['list query', 'GET', '/requests?since=abc', undefined, 'since:'],
  ])('rejects %s with 400 naming the field', async (_name, method, path, body, field) => {
    const response = await client.control<ValidationBody>(method, path, body);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('validation');
    expect(response.body.message).toContain(field);
  });

  it('rejects semantically invalid records with 400 and the Octopus message', async () => {
    const response = await client.control<ValidationBody>('POST', '/records/AbEntry', { Type: 'Contact' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: 'invalid_record',
      message: "Field 'ParentKey' is required for a Contact",
    });
  });

  it('rejects broken JSON and unknown endpoints', async () => {
    expect((await client.control('POST', '/seed', '{"count":')).body).toMatchObject({
      error: 'invalid_json',
    });
    expect((await client.control('GET', '/nope')).status).toBe(404);
  });
});
