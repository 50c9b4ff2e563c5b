import { DEFAULT_CREDENTIALS } from '../credentials';
import { createProviderSimulator, type ProviderSimulator } from '../server';
import { ProviderSimClient } from '../sim-client';

interface ExportAnswer {
  tickets: { id: number; updated_at: string; generated_timestamp: number; status: string; url: string }[];
  after_url: string;
  after_cursor: string;
  before_url: string | null;
  before_cursor: string | null;
  end_of_stream: boolean;
}

const { zendeskEmail: EMAIL, zendeskApiToken: TOKEN } = DEFAULT_CREDENTIALS;

// Paging 10,000 records takes a few dozen requests; generous for a loaded machine.
jest.setTimeout(120_000);

describe('provider-sim: Zendesk incremental ticket export', () => {
  let sim: ProviderSimulator;
  let client: ProviderSimClient;
  const t0 = new Date('2024-01-15T16:54:00Z');
  const epoch = (date: Date) => String(Math.floor(date.getTime() / 1000));

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

  it('follows after_url across 10,000 tickets sharing 10 timestamps until end_of_stream: none lost, none repeated', async () => {
    sim.store.seed('zendesk', 'tickets', { count: 10_000, from: t0, to: new Date(t0.getTime() + 9000) });
    let page = await client.zendeskTickets<ExportAnswer>({ start_time: epoch(t0) }, EMAIL, TOKEN);
    const seen: ExportAnswer['tickets'] = [];
    let pages = 0;
    for (;;) {
      expect(page.status).toBe(200);
      pages += 1;
      seen.push(...page.body.tickets);
      if (page.body.end_of_stream) break;
      expect(page.body.after_url).toBe(
        `${sim.url}/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(page.body.after_cursor)}`,
      );
      page = await client.zendeskTickets<ExportAnswer>(page.body.after_url, EMAIL, TOKEN);
    }
    expect(pages).toBe(10);
    expect(new Set(seen.map((ticket) => ticket.id)).size).toBe(10_000);
    const stamps = seen.map((ticket) => ticket.generated_timestamp);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    // Resuming from the last cursor later gives what changed since, and nothing else.
    const resumeFrom = page.body.after_cursor;
    const again = await client.zendeskTickets<ExportAnswer>({ cursor: resumeFrom }, EMAIL, TOKEN);
    expect(again.body).toEqual(
      expect.objectContaining({ tickets: [], end_of_stream: true, after_cursor: resumeFrom }),
    );
    sim.store.update('zendesk', 'tickets', '42', { status: 'solved' });
    const tooFresh = await client.zendeskTickets<ExportAnswer>({ cursor: resumeFrom }, EMAIL, TOKEN);
    expect(tooFresh.body.tickets).toEqual([]);
    sim.clock.advance(61_000);
    const settled = await client.zendeskTickets<ExportAnswer>({ cursor: resumeFrom }, EMAIL, TOKEN);
    expect(settled.body.tickets.map((ticket) => [ticket.id, ticket.status])).toEqual([[42, 'solved']]);
    expect(settled.body.end_of_stream).toBe(true);
  });

  it('keeps deleted tickets in the stream as status "deleted" unless exclude_deleted=true', async () => {
    const kept = sim.store.create('zendesk', 'tickets', { subject: 'kept' });
    const gone = sim.store.create('zendesk', 'tickets', { subject: 'gone' });
    sim.clock.advance(1000);
    sim.store.delete('zendesk', 'tickets', gone.id);
    sim.clock.advance(61_000);
    const start = epoch(new Date('2024-02-01T00:00:00Z'));
    const all = await client.zendeskTickets<ExportAnswer>({ start_time: start }, EMAIL, TOKEN);
    expect(all.body.tickets.map((ticket) => [ticket.id, ticket.status])).toEqual([
      [Number(kept.id), 'open'],
      [Number(gone.id), 'deleted'],
    ]);
    const live = await client.zendeskTickets<ExportAnswer>(
      { start_time: start, exclude_deleted: 'true' },
      EMAIL,
      TOKEN,
    );
    expect(live.body.tickets.map((ticket) => ticket.id)).toEqual([Number(kept.id)]);
    expect(live.body.after_url).toContain('exclude_deleted=true');
  });

  it('honours per_page (up to 1000)', async () => {
    sim.store.seed('zendesk', 'tickets', { count: 25, from: t0, to: t0 });
    const page = await client.zendeskTickets<ExportAnswer>({ start_time: '0', per_page: '10' }, EMAIL, TOKEN);
    expect(page.body.tickets).toHaveLength(10);
    expect(page.body.end_of_stream).toBe(false);
    expect(page.body.after_url).toContain('per_page=10');
  });

  it('refuses wrong credentials and bad parameters in Zendesk shape', async () => {
    expect((await client.zendeskTickets({ start_time: '0' }, EMAIL, 'wrong')).status).toBe(401);
    const password = await client.request('GET', '/api/v2/incremental/tickets/cursor.json?start_time=0', {
      headers: { authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}` },
    });
    expect(password.status).toBe(401);
    for (const [params, status] of [
      [{}, 400],
      [{ start_time: 'yesterday' }, 400],
      [{ start_time: '99999999999' }, 422],
      [{ cursor: 'not-a-cursor' }, 400],
      [{ cursor: Buffer.from('x'.repeat(500)).toString('base64') }, 400],
      [{ start_time: '0', per_page: '0' }, 400],
    ] as const) {
      const answer = await client.zendeskTickets<{ error: string }>(params, EMAIL, TOKEN);
      expect([answer.status, typeof answer.body.error]).toEqual([status, 'string']);
    }
  });

  it('answers a rate-limit fault with 429 and Retry-After', async () => {
    sim.faults.add({ kind: 'rateLimit', path: '/api/v2/*', retryAfterSeconds: 30 });
    const limited = await client.zendeskTickets<{ error: string }>({ start_time: '0' }, EMAIL, TOKEN);
    expect([limited.status, limited.headers.get('retry-after'), limited.body.error]).toEqual([
      429,
      '30',
      'APIRateLimitExceeded',
    ]);
    expect((await client.zendeskTickets({ start_time: '0' }, EMAIL, TOKEN)).status).toBe(200);
  });
});
