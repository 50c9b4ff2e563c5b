import { type MaximizerSimulator, type OctopusReadRequest, createMaximizerSimulator } from './index';
import { SimulatorClient } from './sim-client';

interface Page {
  Code: number;
  Msg?: string[];
  AbEntry: { Data: { Key: string; LastModifyDate: string; Type: string }[]; PageKey?: string };
}

const WINDOW_FROM = new Date('2026-03-01T12:00:00Z');
const WINDOW_TO = new Date('2026-03-01T12:01:39Z'); // 100 distinct seconds for ~7,500 AbEntries

// Paging through 10,000 records between concurrent changes takes seconds on a loaded two-core machine;
// the default 5 s made this a timing test (it timed out in a CI rehearsal while other suites ran).
jest.setTimeout(60_000);

describe('keyset paging over 10,000 seeded records with shared timestamps', () => {
  let sim: MaximizerSimulator;
  let client: SimulatorClient;
  let token: string;

  beforeEach(async () => {
    sim = await createMaximizerSimulator({ port: 0 });
    sim.clock.freeze(new Date('2026-03-01T13:00:00Z'));
    client = new SimulatorClient(sim.url);
    token = sim.oauth.issueTokens('pollcast-dev').access_token;
    sim.store.seed({ count: 10_000, seed: 42, from: WINDOW_FROM, to: WINDOW_TO });
  });
  afterEach(() => sim.close());

  async function readAll(
    request: OctopusReadRequest,
    betweenPages: (pageIndex: number) => void = () => undefined,
  ): Promise<Page['AbEntry']['Data']> {
    const seen: Page['AbEntry']['Data'] = [];
    let pageKey: string | undefined;
    for (let pageIndex = 0; pageIndex < 1000; pageIndex++) {
      const response = await client.octopus<Page>(
        'Read',
        { AbEntry: { ...request, ...(pageKey === undefined ? {} : { PageKey: pageKey }) } },
        token,
      );
      expect(response.body.Code).toBe(0);
      seen.push(...response.body.AbEntry.Data);
      pageKey = response.body.AbEntry.PageKey;
      if (pageKey === undefined) return seen;
      betweenPages(pageIndex);
    }
    throw new Error('paging did not end');
  }

  const byModifiedThenKey: OctopusReadRequest = {
    Scope: { Fields: { Key: 1, Type: 1, LastModifyDate: 1 } },
    OrderBy: { Fields: [{ LastModifyDate: 'ASC' }, { Key: 'ASC' }] },
    PageSize: 100,
  };

  it('shares timestamps heavily (the point of the exercise)', () => {
    const abEntries = sim.store.count('AbEntry');
    const distinct = new Set(
      sim.store.read('AbEntry', { PageSize: 1000 }).data.map((r) => r['LastModifyDate']),
    );
    expect(abEntries).toBeGreaterThan(7000);
    expect(distinct.size).toBeLessThanOrEqual(100);
  });

  it('returns every record exactly once, in (LastModifyDate, Key) order', async () => {
    const seen = await readAll(byModifiedThenKey);
    expect(seen).toHaveLength(sim.store.count('AbEntry'));
    expect(new Set(seen.map((record) => record.Key)).size).toBe(seen.length);
    for (let index = 1; index < seen.length; index++) {
      const previous = seen[index - 1];
      const current = seen[index];
      if (!previous || !current) continue;
      const previousMs = Date.parse(previous.LastModifyDate);
      const currentMs = Date.parse(current.LastModifyDate);
      expect(previousMs < currentMs || (previousMs === currentMs && previous.Key < current.Key)).toBe(true);
    }
  });

  it('loses nothing and repeats nothing while records are updated, created and deleted between pages', async () => {
    const allKeys = sim.store.read('AbEntry', { Scope: { Fields: { Key: 1 } }, PageSize: 1000 }).data.length;
    expect(allKeys).toBe(1000); // sanity: default order (Key ASC) pages too
    const keysInOrder: string[] = [];
    let pageKey: string | undefined;
    do {
      const page = sim.store.read('AbEntry', {
        Scope: { Fields: { Key: 1 } },
        PageSize: 1000,
        ...(pageKey ? { PageKey: pageKey } : {}),
      });
      keysInOrder.push(...page.data.map((record) => String(record['Key'])));
      pageKey = page.pageKey;
    } while (pageKey);

    let step = 0;
    const updatedKeys = new Set<string>();
    const deletedKeys = new Set<string>();
    const createdKeys = new Set<string>();
    const companyKey = sim.store.read('AbEntry', {
      Criteria: { SearchQuery: { Type: { $EQ: 'Company' } } },
      PageSize: 1,
    }).data[0]?.['Key'] as string;
    const seen = await readAll(
      {
        ...byModifiedThenKey,
        Criteria: { SearchQuery: { LastModifyDate: { $GE: '2026-03-01T07:00:00-05:00' } } },
      },
      (pageIndex) => {
        // Some seconds pass; touch records spread over the whole ordering (already delivered and not yet).
        sim.clock.advance(1000);
        for (let n = 0; n < 5; n++) {
          step += 7919;
          const key = keysInOrder[step % keysInOrder.length] ?? '';
          if (deletedKeys.has(key)) continue;
          sim.store.update('AbEntry', key, { City: `moved-${pageIndex}-${n}` });
          updatedKeys.add(key);
        }
        const victim = keysInOrder[(step * 3) % keysInOrder.length] ?? '';
        if (!deletedKeys.has(victim) && !updatedKeys.has(victim) && victim !== companyKey) {
          sim.store.delete('AbEntry', victim);
          deletedKeys.add(victim);
        }
        const created = sim.store.create('AbEntry', { Type: 'Individual', FirstName: `new-${pageIndex}` });
        createdKeys.add(String(created.Key));
      },
    );

    // No version is delivered twice.
    const versions = seen.map((record) => `${record.Key}@${record.LastModifyDate}`);
    expect(new Set(versions).size).toBe(versions.length);
    // Every record that exists at the end is delivered in its final version.
    const delivered = new Map<string, string[]>();
    for (const record of seen)
      delivered.set(record.Key, [...(delivered.get(record.Key) ?? []), record.LastModifyDate]);
    const finalState = sim.store.read('AbEntry', {
      Scope: { Fields: { Key: 1, LastModifyDate: 1 } },
      PageSize: 1000,
    });
    expect(finalState.data.length).toBeGreaterThan(0);
    let checked = 0;
    for (const key of [...keysInOrder, ...createdKeys]) {
      if (deletedKeys.has(key)) continue;
      const finalVersion = sim.store.get('AbEntry', key)?.['LastModifyDate'];
      expect(delivered.get(key)).toContain(finalVersion);
      // Records nobody touched are delivered exactly once.
      if (!updatedKeys.has(key)) expect(delivered.get(key)).toHaveLength(1);
      checked += 1;
    }
    expect(checked).toBe(sim.store.count('AbEntry'));
    expect(updatedKeys.size).toBeGreaterThan(100);
    expect(createdKeys.size).toBeGreaterThan(50);
  });

  it('pages a filtered criteria (Type $EQ Contact) and a descending order without loss', async () => {
    const contacts = await readAll({
      ...byModifiedThenKey,
      Criteria: { SearchQuery: { $AND: [{ Type: { $EQ: 'Contact' } }] } },
      PageSize: 250,
    });
    expect(contacts.every((record) => record.Type === 'Contact')).toBe(true);
    expect(new Set(contacts.map((record) => record.Key)).size).toBe(sim.store.countsByType()['Contact']);

    const descending = await readAll({
      Scope: { Fields: { Key: 1, LastModifyDate: 1 } },
      OrderBy: { Fields: [{ LastModifyDate: 'DESC' }] },
      PageSize: 333,
    });
    expect(new Set(descending.map((record) => record.Key)).size).toBe(sim.store.count('AbEntry'));
  });

  it('rejects a PageKey used with another OrderBy', async () => {
    const first = await client.octopus<Page>('Read', { AbEntry: byModifiedThenKey }, token);
    const response = await client.octopus<Page>(
      'Read',
      { AbEntry: { PageKey: first.body.AbEntry.PageKey, OrderBy: { Fields: [{ Key: 'ASC' }] } } },
      token,
    );
    expect(response.body).toEqual({ Code: -1, Msg: ['PageKey does not belong to this entity and OrderBy'] });
  });

  it('seeds deterministically from the seed number', async () => {
    const other = await createMaximizerSimulator({ port: 0 });
    try {
      other.clock.freeze(new Date('2026-03-01T13:00:00Z'));
      other.store.seed({ count: 10_000, seed: 42, from: WINDOW_FROM, to: WINDOW_TO });
      const request: OctopusReadRequest = { Scope: { Fields: { '*': 1 } }, PageSize: 1000 };
      expect(other.store.read('Opportunity', request)).toEqual(sim.store.read('Opportunity', request));
      expect(other.store.read('AbEntry', request)).toEqual(sim.store.read('AbEntry', request));
    } finally {
      await other.close();
    }
  });
});
