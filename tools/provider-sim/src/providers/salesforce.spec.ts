import { createProviderSimulator, type ProviderSimulator } from '../server';
import { ProviderSimClient } from '../sim-client';

interface QueryAnswer {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: {
    attributes: { type: string; url: string };
    Id: string;
    Name?: string;
    SystemModstamp?: string;
  }[];
}
type SfErrors = { message: string; errorCode: string }[];

// Paging 10,000 records takes a few hundred requests; generous for a loaded machine.
jest.setTimeout(120_000);

describe('provider-sim: Salesforce', () => {
  let sim: ProviderSimulator;
  let client: ProviderSimClient;
  let token: string;
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
    token = sim.oauth.issueTokens('pollcast-dev').access_token;
  });

  it('runs the authorization-code flow; the token response carries instance_url and no expires_in', async () => {
    const authorize = new URL('/services/oauth2/authorize', sim.url);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'pollcast-dev',
      redirect_uri: 'https://app.example.com/callback',
      state: 'xyz',
    }).toString();
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain('name="decision" value="allow"');
    const approved = await fetch(authorize, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${authorize.searchParams.toString()}&decision=allow`,
    });
    expect(approved.status).toBe(302);
    const location = new URL(approved.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code') ?? '';
    const exchanged = await client.salesforceToken<Record<string, string>>({
      grant_type: 'authorization_code',
      code,
      client_id: 'pollcast-dev',
      client_secret: 'pollcast-dev-secret',
      redirect_uri: 'https://app.example.com/callback',
    });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toEqual(
      expect.objectContaining({
        instance_url: sim.url,
        token_type: 'Bearer',
        issued_at: String(sim.clock.nowMs()),
      }),
    );
    expect(exchanged.body).not.toHaveProperty('expires_in');
    const again = await client.salesforceToken<Record<string, string>>({
      grant_type: 'authorization_code',
      code,
      client_id: 'pollcast-dev',
      client_secret: 'pollcast-dev-secret',
      redirect_uri: 'https://app.example.com/callback',
    });
    expect(again.status).toBe(400);
    expect(again.body['error']).toBe('invalid_grant');
  });

  it('answers INVALID_SESSION_ID for an expired token; a refresh gives a working one', async () => {
    const issued = sim.oauth.issueTokens('pollcast-dev', 60);
    sim.clock.advance(61_000);
    const expired = await client.salesforceQuery<SfErrors>('SELECT Id FROM Account', issued.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
    const refreshed = await client.salesforceToken<Record<string, string>>({
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      client_id: 'pollcast-dev',
      client_secret: 'pollcast-dev-secret',
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body['instance_url']).toBe(sim.url);
    const ok = await client.salesforceQuery('SELECT Id FROM Account', refreshed.body['access_token'] ?? '');
    expect(ok.status).toBe(200);
    const noToken = await client.request('GET', '/services/data/v59.0/query?q=SELECT+Id+FROM+Account');
    expect(noToken.status).toBe(401);
  });

  it('pages 10,000 records sharing 100 timestamps through nextRecordsUrl: none lost, none repeated, in order', async () => {
    sim.store.seed('salesforce', 'Account', { count: 10_000, from: t0, to: new Date(t0.getTime() + 99_000) });
    const boundary = sim.store
      .collection('salesforce', 'Account')
      .all()
      .filter((r) => r.updatedMs === t0.getTime());
    let page = await client.salesforceQuery<QueryAnswer>(
      'SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp > 2024-01-15T16:54:00Z ORDER BY SystemModstamp ASC, Id ASC',
      token,
    );
    const seen: QueryAnswer['records'] = [];
    let pages = 0;
    for (;;) {
      expect(page.status).toBe(200);
      pages += 1;
      seen.push(...page.body.records);
      if (page.body.done) break;
      expect(page.body.nextRecordsUrl).toMatch(/^\/services\/data\/v59\.0\/query\/01g[A-Za-z0-9]{15}-\d+$/);
      page = await client.salesforceQuery<QueryAnswer>(page.body.nextRecordsUrl ?? '', token);
    }
    expect(page.body.totalSize).toBe(10_000 - boundary.length);
    expect(pages).toBe(Math.ceil((10_000 - boundary.length) / 2000));
    expect(new Set(seen.map((r) => r.Id)).size).toBe(seen.length);
    expect(seen).toHaveLength(10_000 - boundary.length);
    const stamps = seen.map((r) => r.SystemModstamp ?? '');
    expect([...stamps].sort()).toEqual(stamps);
    expect(stamps[0]).toMatch(/^2024-01-15T16:54:01\.000\+0000$/);
    expect(seen[0]?.attributes).toEqual({
      type: 'Account',
      url: `/services/data/v59.0/sobjects/Account/${seen[0]?.Id}`,
    });
  });

  it('honours Sforce-Query-Options batchSize and LIMIT; an unknown locator is INVALID_QUERY_LOCATOR', async () => {
    sim.store.seed('salesforce', 'Account', { count: 450, from: t0, to: t0 });
    const first = await client.request<QueryAnswer>(
      'GET',
      `/services/data/v59.0/query?q=${encodeURIComponent('SELECT Id FROM Account ORDER BY SystemModstamp, Id')}`,
      { headers: { authorization: `Bearer ${token}`, 'sforce-query-options': 'batchSize=200' } },
    );
    expect(first.body.records).toHaveLength(200);
    expect(first.body.totalSize).toBe(450);
    const limited = await client.salesforceQuery<QueryAnswer>('SELECT Id FROM Account LIMIT 7', token);
    expect(limited.body).toEqual(expect.objectContaining({ totalSize: 7, done: true }));
    const unknown = await client.salesforceQuery<SfErrors>(
      '/services/data/v59.0/query/01gAAAAAAAAAAAAAAA-200',
      token,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body[0]?.errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('applies updates and deletes: a changed record moves to the end, a deleted one is gone', async () => {
    const first = sim.store.create('salesforce', 'Contact', { Name: 'Ada' });
    sim.clock.advance(1000);
    const second = sim.store.create('salesforce', 'Contact', { Name: 'Bo' });
    sim.clock.advance(1000);
    sim.store.update('salesforce', 'Contact', first.id, { Name: 'Ada L.' });
    const answer = await client.salesforceQuery<QueryAnswer>(
      'SELECT Id, Name FROM Contact WHERE SystemModstamp >= 2024-02-01T00:00:00Z ORDER BY SystemModstamp',
      token,
    );
    expect(answer.body.records.map((r) => [r.Id, r.Name])).toEqual([
      [second.id, 'Bo'],
      [first.id, 'Ada L.'],
    ]);
    sim.store.delete('salesforce', 'Contact', second.id);
    const after = await client.salesforceQuery<QueryAnswer>('SELECT Id FROM Contact', token);
    expect(after.body.records.map((r) => r.Id)).toEqual([first.id]);
  });

  it.each([
    ['SELECT Id FROM Account WHERE', 400, 'MALFORMED_QUERY'],
    ["SELECT Id FROM Account WHERE SystemModstamp > '2024-01-01T00:00:00Z'", 400, 'INVALID_FIELD'],
    ['SELECT Id FROM Account WHERE SystemModstamp > 2024-01-01', 400, 'MALFORMED_QUERY'],
    ['SELECT Nope FROM Account', 400, 'INVALID_FIELD'],
    ['SELECT Id FROM Nope__c', 400, 'INVALID_TYPE'],
    [`SELECT Id FROM Account WHERE Name = '${'x'.repeat(100_001)}'`, 400, 'MALFORMED_QUERY'],
    ['SELECT Id FROM Account WHERE Name = \u0000', 400, 'MALFORMED_QUERY'],
  ])('answers a hostile query %# with the documented error shape', async (soql, status, errorCode) => {
    const answer = await client.request<SfErrors>(
      'GET',
      `/services/data/v59.0/query?q=${encodeURIComponent(soql)}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(answer.status).toBe(status);
    expect(answer.body[0]?.errorCode).toBe(errorCode);
  });

  it('renders rate-limit and server-error faults in Salesforce shape, OAuth errors in OAuth shape', async () => {
    sim.faults.add({ kind: 'rateLimit', path: '/services/data/*', retryAfterSeconds: 7 });
    const limited = await client.salesforceQuery<SfErrors>('SELECT Id FROM Account', token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body[0]?.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    sim.faults.add({ kind: 'rateLimit', status: 403 });
    expect((await client.salesforceQuery('SELECT Id FROM Account', token)).status).toBe(403);
    sim.faults.add({ kind: 'serverError', status: 503, path: '/services/oauth2/token' });
    const oauthDown = await client.salesforceToken({ grant_type: 'refresh_token' });
    expect(oauthDown.status).toBe(503);
    expect(oauthDown.body).toEqual({ error: 'server_error' });
    expect((await client.salesforceQuery('SELECT Id FROM Account', token)).status).toBe(200);
  });
});
