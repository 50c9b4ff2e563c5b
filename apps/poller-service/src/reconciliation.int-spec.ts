import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@pollcast/testing';
import type { LastReconciliation } from './reconciliation/reconciliation.store';
import { PollerHarness, resourceConfig } from './testing/harness';

jest.setTimeout(180_000);

const REPO_ROOT = join(__dirname, '../../..');
let harness: PollerHarness;

beforeAll(async () => {
  harness = await PollerHarness.create();
});

afterAll(async () => {
  await harness?.close();
});

/** Each test has its own instances consumer group (see replicas.int-spec.ts). */
const group = (name: string) => ({ POLLER_INSTANCES_GROUP_ID: `poller-${name}` });

/** Companies reconciled hourly (POLLER_INTERVAL_UNIT=seconds: 3600 s), polled every minute. */
const RECONCILED = [resourceConfig('companies', { deletions: { mode: 'reconcile', intervalMinutes: 3600 } })];

function seedCompanies(prefix: string, count: number): string[] {
  const keys: string[] = [];
  for (let n = 0; n < count; n += 1) {
    keys.push(
      String(harness.sim.store.create('AbEntry', { Type: 'Company', CompanyName: `${prefix} ${n}` }).Key),
    );
  }
  return keys;
}

async function publishInstance(instanceId: string): Promise<void> {
  // The records predate the instance: a first watermark a minute back lets the first poll publish them.
  const createdAt = new Date(Date.now() - 60_000).toISOString();
  await harness.publishSnapshot({
    ...harness.snapshot(instanceId, { intervalSeconds: 60, resources: RECONCILED }),
    createdAt,
    updatedAt: createdAt,
  });
}

async function reconciliation(instanceId: string) {
  const [row] = await harness.query<{
    last_reconciliation: LastReconciliation | null;
    reconcile_run_id: string | null;
    reconcile_next_due_at: Date | null;
  }>(
    `SELECT last_reconciliation, reconcile_run_id, reconcile_next_due_at FROM poller.schedules
      WHERE instance_id = $1 AND resource = 'companies'`,
    [instanceId],
  );
  return row;
}

/** Waits for a reconciliation other than `after` to finish; returns it. */
async function nextFinished(instanceId: string, after: string | undefined): Promise<LastReconciliation> {
  let last: LastReconciliation | null | undefined;
  await waitFor(
    async () => {
      last = (await reconciliation(instanceId))?.last_reconciliation;
      return last != null && last.runId !== after;
    },
    { what: `a reconciliation of ${instanceId} after ${after ?? 'none'}`, timeoutMs: 90_000 },
  );
  return last!;
}

async function reconcileNow(instanceId: string): Promise<void> {
  await harness.query(
    `UPDATE poller.schedules SET reconcile_next_due_at = now() WHERE instance_id = $1 AND reconcile_run_id IS NULL`,
    [instanceId],
  );
}

/** Deletion raw changes published for the instance, by object id (how many times each). */
function deletionsOf(instanceId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of harness.rawFor(instanceId, 'companies')) {
    if (message.value.deleted !== true) continue;
    counts.set(message.value.objectId, (counts.get(message.value.objectId) ?? 0) + 1);
  }
  return counts;
}

async function known(instanceId: string, objectIds: string[]): Promise<number> {
  const [row] = await harness.query<{ n: string }>(
    `SELECT count(*) AS n FROM poller.known_objects WHERE instance_id = $1 AND object_id = ANY ($2::text[])`,
    [instanceId, objectIds],
  );
  return Number(row?.n);
}

describe('reconciliation (deletion detection)', () => {
  it('through two replicas, each deleted record becomes exactly one deletion raw change, keyed like its other changes', async () => {
    const first = await harness.startPoller(group('recon-a'));
    const second = await harness.startPoller(group('recon-a'));
    const instanceId = 'inst-recon-a';
    const keys = seedCompanies('Reconciled', 5);
    await publishInstance(instanceId);
    const initial = await nextFinished(instanceId, undefined);
    expect(initial).toMatchObject({ status: 'succeeded', deletionsFound: 0 });
    expect(initial.idsListed).toBeGreaterThanOrEqual(5);
    expect(await known(instanceId, keys)).toBe(5);

    const gone = keys.slice(0, 3);
    for (const key of gone) harness.sim.store.delete('AbEntry', key);
    await reconcileNow(instanceId);
    const found = await nextFinished(instanceId, initial.runId);
    expect(found).toMatchObject({ status: 'succeeded', deletionsFound: 3, idsListed: initial.idsListed - 3 });
    await waitFor(() => deletionsOf(instanceId).size === 3, { what: 'the deletions consumed' });
    expect([...deletionsOf(instanceId).entries()].sort()).toEqual(gone.map((key) => [key, 1]).sort());
    const published = harness.rawFor(instanceId).filter((message) => message.value.deleted === true);
    for (const message of published) {
      expect(message.key).toBe(`${instanceId}/companies/${message.value.objectId}`);
      expect(message.value).toMatchObject({ record: {}, pollId: found.runId });
      expect(message.correlationId).toBe(found.runId);
    }
    expect(await known(instanceId, gone)).toBe(0);

    // Nothing more is gone: the next reconciliation finds nothing, and publishes nothing again.
    await reconcileNow(instanceId);
    expect(await nextFinished(instanceId, found.runId)).toMatchObject({
      status: 'succeeded',
      deletionsFound: 0,
    });
    expect([...deletionsOf(instanceId).values()]).toEqual([1, 1, 1]);
    await Promise.all([harness.stopPoller(first), harness.stopPoller(second)]);
  });

  it('a failed listing deletes nothing, even of what it had not listed yet when it failed', async () => {
    const instanceId = 'inst-recon-fail';
    seedCompanies('Many', 1100); // more than one page of ids (1000 a page)
    const keys = seedCompanies('Fail', 4);
    const whole = await harness.startPoller(group('recon-fail-1'));
    await publishInstance(instanceId);
    const initial = await nextFinished(instanceId, undefined);
    expect(initial.status).toBe('succeeded');
    await harness.stopPoller(whole);

    // A replica that gives up after one page of ids: its listing is partial.
    const cut = await harness.startPoller({
      ...group('recon-fail-2'),
      POLLER_MAX_PAGES_PER_RECONCILIATION: '1',
    });
    for (const key of keys) harness.sim.store.delete('AbEntry', key);
    await reconcileNow(instanceId);
    const failed = await nextFinished(instanceId, initial.runId);
    expect(failed).toMatchObject({ status: 'failed', deletionsFound: 0, idsListed: 1000 });
    expect(failed.error).toMatch(/pages of ids/);
    expect(deletionsOf(instanceId).size).toBe(0);
    expect(await known(instanceId, keys)).toBe(4);
    await harness.stopPoller(cut);
  });

  it('lists ids within the instance’s request rate, which its polls share', async () => {
    const instanceId = 'inst-recon-rate';
    seedCompanies('Rated', 2100); // with the companies above: at least three pages of ids (1000 a page)
    // The simulator's request log does not say whose a read is: only this instance is due meanwhile.
    await harness.query(
      `UPDATE poller.schedules SET next_due_at = now() + interval '1 day',
         reconcile_next_due_at = now() + interval '1 day'`,
    );
    const limited = await harness.startPoller({
      ...group('recon-rate'),
      POLLER_RATE_LIMIT_PER_SECOND: '2',
      POLLER_RATE_LIMIT_BURST: '1',
    });
    try {
      const since = harness.sim.requests.list().at(-1)?.seq ?? 0;
      const createdAt = new Date(Date.now() - 60_000).toISOString();
      await harness.publishSnapshot({
        ...harness.snapshot(instanceId, {
          intervalSeconds: 60,
          resources: [
            resourceConfig('companies', {
              pageSize: 1000,
              deletions: { mode: 'reconcile', intervalMinutes: 3600 },
            }),
          ],
        }),
        createdAt,
        updatedAt: createdAt,
      });
      const run = await nextFinished(instanceId, undefined);
      expect(run.status).toBe('succeeded');
      expect(run.idsListed).toBeGreaterThan(2000);
      // The listing's reads (those without the poll's date criterion) each take a token of the instance's
      // bucket, 2/s with a burst of 1, which its first poll's pages also draw on: from the second read on
      // (the first may wait for its access token after its reservation), n reads span at least
      // (n - 1) × 500 ms. Unlimited, they follow each other within milliseconds.
      const listing = harness.sim.requests
        .list({ path: '/octopus/Read' })
        .filter((request) => request.seq > since)
        .filter((request) => !JSON.stringify(request.summary?.['criteria'] ?? '').includes('LastModifyDate'));
      expect(listing.length).toBeGreaterThanOrEqual(3);
      const times = listing.map((request) => Date.parse(request.at)).slice(1);
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((times.length - 1) * 500 - 50);
    } finally {
      await harness.stopPoller(limited);
    }
  });

  describe('kill -9', () => {
    let child: ChildProcess | undefined;

    beforeAll(() => {
      const build = spawnSync(
        'npx',
        ['nx', 'run', '@pollcast/poller-service:build', '--outputStyle=static'],
        { cwd: REPO_ROOT, encoding: 'utf8' },
      );
      if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    });

    afterAll(() => {
      child?.kill('SIGKILL');
      harness.sim.faults.clear();
    });

    it('a replica killed mid-listing publishes nothing; the next one redoes the run and publishes each deletion once', async () => {
      const instanceId = 'inst-recon-kill';
      seedCompanies('Bulk', 2100); // three pages of ids at least
      const keys = seedCompanies('Kill', 4);
      const first = await harness.startPoller(group('recon-kill-1'));
      await publishInstance(instanceId);
      const initial = await nextFinished(instanceId, undefined);
      expect(initial.status).toBe('succeeded');
      await harness.stopPoller(first);

      const gone = keys.slice(0, 2);
      for (const key of gone) harness.sim.store.delete('AbEntry', key);
      // Every provider answer takes a second: the child is still listing when it is killed.
      const slow = harness.sim.faults.add({
        kind: 'slow',
        delayMs: 1000,
        count: 1000,
        path: '/octopus/Read',
      });
      child = spawn(process.execPath, [join(REPO_ROOT, 'apps/poller-service/dist/main.js')], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...harness.env({ POLLER_LEASE_SECONDS: '3', ...group('recon-kill-child') }) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      await reconcileNow(instanceId);
      let runId: string | null = null;
      await waitFor(
        async () => {
          runId = (await reconciliation(instanceId))?.reconcile_run_id ?? null;
          if (runId === null) return false;
          const [row] = await harness.query<{ n: string }>(
            `SELECT count(*) AS n FROM poller.known_objects WHERE instance_id = $1 AND listed_run = $2`,
            [instanceId, runId],
          );
          return Number(row?.n) >= 1000;
        },
        { what: 'the child listing its first page of ids', timeoutMs: 60_000 },
      );
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
      harness.sim.faults.remove(slow.id);
      expect((await reconciliation(instanceId))?.last_reconciliation?.runId).toBe(initial.runId);
      expect(deletionsOf(instanceId).size).toBe(0);

      const successor = await harness.startPoller(group('recon-kill-2'));
      const redone = await nextFinished(instanceId, initial.runId);
      expect(redone).toMatchObject({ status: 'succeeded', deletionsFound: 2 });
      expect(redone.runId).not.toBe(runId);
      await waitFor(() => deletionsOf(instanceId).size === 2, { what: 'the deletions consumed' });
      expect([...deletionsOf(instanceId).entries()].sort()).toEqual(gone.map((key) => [key, 1]).sort());
      await harness.stopPoller(successor);
    });
  });
});
