import { DEFAULT_CREDENTIALS } from '../credentials';
import { createProviderSimulator, type ProviderSimulator } from '../server';
import { ProviderSimClient } from '../sim-client';

interface Issue {
  id: number;
  number: number;
  state: string;
  updated_at: string;
  created_at: string;
  url: string;
}

const TOKEN = DEFAULT_CREDENTIALS.githubToken;
const REPO = 'acme/widgets';

function nextLink(link: string | null): string | null {
  const match = /<([^>]+)>; rel="next"/.exec(link ?? '');
  return match?.[1] ?? null;
}

// Paging 10,000 records takes a few hundred requests; generous for a loaded machine.
jest.setTimeout(120_000);

describe('provider-sim: GitHub issues', () => {
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

  it('follows Link rel="next" across 10,000 issues sharing 20 timestamps: none lost, none repeated, in order', async () => {
    sim.store.seed('github', REPO, { count: 10_000, from: t0, to: new Date(t0.getTime() + 19_000) });
    let result = await client.githubIssues<Issue[]>(
      REPO,
      { since: '2024-01-15T16:54:00Z', state: 'all', sort: 'updated', direction: 'asc', per_page: '100' },
      TOKEN,
    );
    const seen: Issue[] = [];
    let pages = 0;
    for (;;) {
      expect(result.status).toBe(200);
      pages += 1;
      seen.push(...result.body);
      const next = nextLink(result.headers.get('link'));
      if (next === null) break;
      expect(next.startsWith(`${sim.url}/repos/${REPO}/issues?`)).toBe(true);
      result = await client.githubIssues<Issue[]>(next, {}, TOKEN);
    }
    expect(pages).toBe(100);
    expect(new Set(seen.map((issue) => issue.number)).size).toBe(10_000);
    const stamps = seen.map((issue) => issue.updated_at);
    expect([...stamps].sort()).toEqual(stamps);
    expect(stamps[0]).toBe('2024-01-15T16:54:00Z');
    expect(result.headers.get('x-ratelimit-remaining')).toBe(String(5000 - 100));
  });

  it('filters since inclusively and by state; builds first/prev/next/last links', async () => {
    const old = sim.store.create('github', REPO, { title: 'old', state: 'open' });
    sim.clock.advance(5000);
    const closed = sim.store.create('github', REPO, { title: 'closed', state: 'closed' });
    const open = sim.store.create('github', REPO, { title: 'open', state: 'open' });
    const since = new Date(sim.clock.nowMs()).toISOString().replace('.000Z', 'Z');
    const all = await client.githubIssues<Issue[]>(
      REPO,
      { since, state: 'all', sort: 'updated', direction: 'asc' },
      TOKEN,
    );
    expect(all.body.map((issue) => issue.number)).toEqual([Number(closed.id), Number(open.id)]);
    const openOnly = await client.githubIssues<Issue[]>(REPO, { sort: 'updated', direction: 'asc' }, TOKEN);
    expect(openOnly.body.map((issue) => issue.number)).toEqual([Number(old.id), Number(open.id)]);
    const second = await client.githubIssues<Issue[]>(
      REPO,
      { state: 'all', per_page: '1', page: '2' },
      TOKEN,
    );
    const link = second.headers.get('link') ?? '';
    expect(link).toContain('page=1>; rel="prev"');
    expect(link).toContain('page=3>; rel="next"');
    expect(link).toContain('page=3>; rel="last"');
    expect(link).toContain('page=1>; rel="first"');
  });

  it('answers a bad token 401, an unknown repository 404 and invalid parameters 422', async () => {
    sim.store.create('github', REPO, {});
    expect((await client.githubIssues(REPO, {}, 'ghp_wrong')).status).toBe(401);
    expect((await client.githubIssues('acme/nothing', {}, TOKEN)).status).toBe(404);
    for (const params of <Record<string, string>[]>[
      { since: 'yesterday' },
      { state: 'any' },
      { sort: 'random' },
      { direction: 'up' },
      { since: `2024-01-01T00:00:00Z${'x'.repeat(9000)}` },
    ]) {
      const answer = await client.githubIssues<{ message: string }>(REPO, params, TOKEN);
      expect(answer.status).toBe(422);
      expect(answer.body.message).toBe('Validation Failed');
    }
    const clamped = await client.githubIssues<Issue[]>(REPO, { per_page: '1000', page: 'x' }, TOKEN);
    expect(clamped.status).toBe(200);
  });

  it('spends the primary rate limit (403 at zero, X-RateLimit-Reset) and renews it after the reset', async () => {
    sim.store.create('github', REPO, {});
    sim.github.setRateLimit({ limit: 5000, remaining: 1 });
    const last = await client.githubIssues(REPO, {}, TOKEN);
    expect(last.status).toBe(200);
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    const spent = await client.githubIssues<{ message: string }>(REPO, {}, TOKEN);
    expect(spent.status).toBe(403);
    expect(spent.body.message).toContain('API rate limit exceeded');
    const reset = Number(spent.headers.get('x-ratelimit-reset'));
    expect(reset * 1000).toBeGreaterThan(sim.clock.nowMs());
    sim.clock.set(new Date(reset * 1000));
    const renewed = await client.githubIssues(REPO, {}, TOKEN);
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get('x-ratelimit-remaining')).toBe('4999');
  });

  it('renders the secondary rate limit fault as 403 or 429 with Retry-After', async () => {
    sim.store.create('github', REPO, {});
    sim.faults.add({ kind: 'rateLimit', status: 403, retryAfterSeconds: 60, path: '/repos/*' });
    sim.faults.add({ kind: 'rateLimit', retryAfterSeconds: 3, path: '/repos/*' });
    const first = await client.githubIssues<{ message: string }>(REPO, {}, TOKEN);
    expect([first.status, first.headers.get('retry-after')]).toEqual([403, '60']);
    expect(first.body.message).toContain('secondary rate limit');
    const second = await client.githubIssues(REPO, {}, TOKEN);
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, '3']);
    expect((await client.githubIssues(REPO, {}, TOKEN)).status).toBe(200);
  });
});
