import { type MaximizerSimulator, createMaximizerSimulator } from './index';
import { SimulatorClient } from './sim-client';

interface Page {
  Code: number;
  AbEntry: { Data: { Key: string }[]; PageKey?: string };
}

const READ = {
  AbEntry: {
    Scope: { Fields: { Key: 1 } },
    OrderBy: { Fields: [{ LastModifyDate: 'ASC' }, { Key: 'ASC' }] },
    PageSize: 10,
  },
};

describe('fault injection', () => {
  let sim: MaximizerSimulator;
  let client: SimulatorClient;
  let token: string;

  beforeEach(async () => {
    sim = await createMaximizerSimulator({ port: 0 });
    sim.clock.freeze(new Date('2026-02-01T00:00:00Z'));
    client = new SimulatorClient(sim.url);
    token = sim.oauth.issueTokens('pollcast-dev').access_token;
    sim.store.seed({ count: 100, mix: { Company: 1 } });
  });
  afterEach(() => sim.close());

  const read = (body: unknown = READ): ReturnType<SimulatorClient['octopus']> =>
    client.octopus('Read', body, token);

  it('429 with Retry-After for the next N matching requests only', async () => {
    const added = await client.control('POST', '/faults', {
      kind: 'rateLimit',
      count: 2,
      retryAfterSeconds: 7,
      path: '/octopus/Read',
    });
    expect(added.status).toBe(201);
    const first = await read();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect((await read()).status).toBe(429);
    expect((await read()).status).toBe(200);
  });

  it('scopes a fault to a path (a Create is not affected by a Read fault)', async () => {
    sim.faults.add({ kind: 'serverError', status: 503, path: '/octopus/Read' });
    const created = await client.octopus('Create', { AbEntry: { Data: { Type: 'Company' } } }, token);
    expect(created.status).toBe(200);
    expect((await read()).status).toBe(503);
  });

  it('500 for a span of simulator time, then healthy again', async () => {
    sim.faults.add({ kind: 'serverError', durationMs: 30_000 });
    expect((await read()).status).toBe(500);
    expect((await read()).status).toBe(500);
    sim.clock.advance(30_000);
    expect((await read()).status).toBe(200);
    expect(sim.faults.list()).toEqual([]);
  });

  it('applies to the OAuth token endpoint too (prefix path)', async () => {
    sim.faults.add({ kind: 'serverError', status: 502, path: '/OAuth2/*' });
    const response = await client.token({ grant_type: 'refresh_token', refresh_token: 'x' });
    expect(response.status).toBe(502);
  });

  it('slow: answers correctly after the delay', async () => {
    sim.faults.add({ kind: 'slow', delayMs: 300 });
    const started = performance.now();
    const response = await read();
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('timeout: never answers; the client gives up; the next request is served', async () => {
    sim.faults.add({ kind: 'timeout' });
    await expect(client.octopus('Read', READ, token, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await read()).status).toBe(200);
    const [timedOut] = sim.requests.list({ path: '/octopus/Read' });
    expect(timedOut).toMatchObject({ fault: 'timeout', status: 0 });
  });

  it('timeout with holdMs drops the connection without an answer', async () => {
    sim.faults.add({ kind: 'timeout', holdMs: 100 });
    await expect(read()).rejects.toThrow();
  });

  it('401 on a valid token', async () => {
    sim.faults.add({ kind: 'unauthorized' });
    const response = await read();
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ Code: -1, Msg: ['Invalid token'] });
    expect((await read()).status).toBe(200);
  });

  it('malformed JSON: 200 with a body that does not parse', async () => {
    sim.faults.add({ kind: 'malformedJson' });
    const response = await read();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(() => JSON.parse(response.text) as unknown).toThrow();
    expect(response.text.startsWith('{"Code":0')).toBe(true);
  });

  it('repeatPage: a follow-up Read gets the previous page (and PageKey) again', async () => {
    const first = (await read()).body as Page;
    sim.faults.add({ kind: 'repeatPage' });
    const next = { AbEntry: { ...READ.AbEntry, PageKey: first.AbEntry.PageKey } };
    const repeated = (await read(next)).body as Page;
    expect(repeated).toEqual(first);
    const real = (await read(next)).body as Page;
    expect(real.AbEntry.Data[0]?.Key).not.toBe(first.AbEntry.Data[0]?.Key);
    expect(sim.requests.list({ path: '/octopus/Read' }).map((request) => request.fault ?? null)).toEqual([
      null,
      'repeatPage',
      null,
    ]);
  });

  it('repeatPage does not fire on a first page (nothing to repeat) and waits for one', async () => {
    sim.faults.add({ kind: 'repeatPage' });
    const first = (await read()).body as Page;
    expect(first.AbEntry.Data).toHaveLength(10);
    expect(sim.faults.list()).toHaveLength(1);
  });

  it('emptyPage: no records but a PageKey that resumes at the same place', async () => {
    sim.faults.add({ kind: 'emptyPage' });
    const empty = (await read()).body as Page;
    expect(empty.Code).toBe(0);
    expect(empty.AbEntry.Data).toEqual([]);
    expect(empty.AbEntry.PageKey).toEqual(expect.any(String));
    const resumed = (await read({ AbEntry: { ...READ.AbEntry, PageKey: empty.AbEntry.PageKey } }))
      .body as Page;
    const fresh = (await read()).body as Page;
    expect(resumed).toEqual(fresh);
  });

  it('lists, removes and clears faults through the control API', async () => {
    const added = await client.control<{ id: string }>('POST', '/faults', { kind: 'serverError', count: 5 });
    await client.control('POST', '/faults', { kind: 'slow', delayMs: 5 });
    const listed = await client.control<{ faults: { id: string; remaining: number }[] }>('GET', '/faults');
    expect(listed.body.faults).toHaveLength(2);
    expect(listed.body.faults[0]).toMatchObject({ kind: 'serverError', remaining: 5, fired: 0 });
    expect((await client.control('DELETE', `/faults/${added.body.id}`)).status).toBe(200);
    expect((await client.control('DELETE', '/faults')).status).toBe(200);
    expect((await client.control<{ faults: unknown[] }>('GET', '/faults')).body.faults).toEqual([]);
  });
});
