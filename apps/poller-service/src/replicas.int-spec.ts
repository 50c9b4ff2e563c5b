import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@pollcast/testing';
import { PollerHarness, resourceConfig } from './testing/harness';

jest.setTimeout(120_000);

const REPO_ROOT = join(__dirname, '../../..');
let harness: PollerHarness;

beforeAll(async () => {
  harness = await PollerHarness.create();
});

afterAll(async () => {
  await harness?.close();
});

/** A slow paged poll: one record a page and one provider request per 2 s, so a test can stop the
 * poller after the first page is published and before the watermark is committed. */
const SLOW_PAGES = { POLLER_RATE_LIMIT_PER_SECOND: '0.5', POLLER_RATE_LIMIT_BURST: '1' };

/** Each test has its own instances consumer group. kafkajs can restart a consumer that is being
 * disconnected during a rebalance (see the report: ConsumerRunner.stop races kafkajs' restart); such a
 * zombie member would hold the partitions of a group the next test reuses. */
const group = (name: string) => ({ POLLER_INSTANCES_GROUP_ID: `poller-${name}` });

async function seedCompanies(prefix: string, count: number): Promise<string[]> {
  const keys: string[] = [];
  for (let n = 0; n < count; n += 1) {
    keys.push(
      String(harness.sim.store.create('AbEntry', { Type: 'Company', CompanyName: `${prefix} ${n}` }).Key),
    );
  }
  return keys;
}

function pollIdsOf(instanceId: string, objectId: string): Set<string> {
  return new Set(
    harness
      .rawFor(instanceId)
      .filter((message) => message.value.objectId === objectId)
      .map((message) => message.value.pollId),
  );
}

describe('replicas', () => {
  it('two replicas poll everything between them and never the same resource at once', async () => {
    const first = await harness.startPoller({ POLLER_CONCURRENCY: '4', ...group('replicas') });
    const second = await harness.startPoller({ POLLER_CONCURRENCY: '4', ...group('replicas') });
    const instanceIds = Array.from({ length: 20 }, (_, n) => `inst-replica-${n}`);
    for (const instanceId of instanceIds) {
      await harness.publishSnapshot(
        harness.snapshot(instanceId, {
          intervalSeconds: 1,
          resources: [resourceConfig('companies'), resourceConfig('opportunities')],
        }),
      );
    }
    const polledEnough = async () => {
      const [row] = await harness.query<{ schedules: string; least: string }>(
        `SELECT count(*) AS schedules, min(n) AS least FROM (
           SELECT s.instance_id, s.resource, count(r.id) AS n
             FROM poller.schedules s LEFT JOIN poller.poll_runs r
               ON r.instance_id = s.instance_id AND r.resource = s.resource AND r.status = 'succeeded'
            WHERE s.instance_id LIKE 'inst-replica-%' GROUP BY 1, 2) per_schedule`,
      );
      return Number(row?.schedules) === 40 && Number(row?.least) >= 3;
    };
    await waitFor(polledEnough, { what: 'three polls of each of the 40 resources', timeoutMs: 60_000 });

    const overlapping = await harness.query(
      `SELECT a.id, b.id FROM poller.poll_runs a JOIN poller.poll_runs b
          ON a.instance_id = b.instance_id AND a.resource = b.resource AND a.id <> b.id
         AND a.started_at <= b.started_at AND b.started_at < a.finished_at
       WHERE a.instance_id LIKE 'inst-replica-%'`,
    );
    expect(overlapping).toEqual([]);
    const owners = await harness.query<{ owner: string; runs: string }>(
      `SELECT owner, count(*) AS runs FROM poller.poll_runs WHERE instance_id LIKE 'inst-replica-%' GROUP BY owner`,
    );
    expect(owners).toHaveLength(2);
    expect(owners.every((owner) => Number(owner.runs) > 10)).toBe(true);
    const notSucceeded = await harness.query(
      `SELECT id, status FROM poller.poll_runs WHERE instance_id LIKE 'inst-replica-%' AND status <> 'succeeded'`,
    );
    expect(notSucceeded).toEqual([]);

    for (const instanceId of instanceIds) await harness.publishTombstone(instanceId);
    await waitFor(
      async () =>
        (await harness.query(`SELECT 1 FROM poller.schedules WHERE instance_id LIKE 'inst-replica-%'`))
          .length === 0,
      { what: 'the replica instances removed' },
    );
    // Together: stopping one while the other rebalances is the kafkajs race described above.
    await Promise.all([harness.stopPoller(first), harness.stopPoller(second)]);
  });

  it('a graceful stop abandons a poll in flight without moving the watermark; another replica redoes it', async () => {
    const stopping = await harness.startPoller({
      ...SLOW_PAGES,
      POLLER_SHUTDOWN_GRACE_MS: '300',
      ...group('graceful'),
    });
    const instanceId = 'inst-graceful';
    await harness.publishSnapshot(harness.snapshot(instanceId, { intervalSeconds: 60 }));
    await waitFor(async () => (await harness.runs(instanceId)).length === 1, {
      what: 'the empty first poll',
    });
    const keys = await seedCompanies('Graceful', 3);
    const before = (await harness.schedule(instanceId, 'companies'))!;
    await harness.query(
      `UPDATE poller.schedules SET next_due_at = now(), config = jsonb_set(config, '{pageSize}', '1') WHERE instance_id = $1`,
      [instanceId],
    );
    await waitFor(() => pollIdsOf(instanceId, keys[0]!).size === 1, { what: 'the first page published' });
    await harness.stopPoller(stopping);

    const abandoned = (await harness.runs(instanceId)).at(-1)!;
    expect(abandoned.status).toBe('abandoned');
    const after = (await harness.schedule(instanceId, 'companies'))!;
    expect(after.watermark).toEqual(before.watermark);
    expect(after.current_poll_id).toBeNull();

    const successor = await harness.startPoller(group('graceful'));
    await waitFor(() => keys.every((key) => pollIdsOf(instanceId, key).size >= 1), { what: 'every record' });
    expect(pollIdsOf(instanceId, keys[0]!).size).toBe(2); // re-published, not lost
    await waitFor(
      async () => (await harness.schedule(instanceId, 'companies'))!.watermark > before.watermark,
      {
        what: 'the watermark advanced by the successor',
      },
    );
    await harness.publishTombstone(instanceId);
    await harness.stopPoller(successor);
  });

  describe('kill -9', () => {
    let child: ChildProcess | undefined;

    beforeAll(() => {
      const build = spawnSync(
        'npx',
        ['nx', 'run', '@pollcast/poller-service:build', '--outputStyle=static'],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        },
      );
      if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
    });

    afterAll(() => {
      child?.kill('SIGKILL');
    });

    /** A poller as a child process (slow pages, 3 s leases) that has started polling `instanceId`
     * from a minute back (history: the records predate the instance, as in a backfill), one record a
     * page; resolves once the first page is published. */
    async function childPolling(instanceId: string, firstKey: string, name: string, intervalSeconds: number) {
      child = spawn(process.execPath, [join(REPO_ROOT, 'apps/poller-service/dist/main.js')], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...harness.env({ ...SLOW_PAGES, POLLER_LEASE_SECONDS: '3', ...group(name) }),
        },
        stdio: ['ignore', 'ignore', 'inherit'], // start-up failures print to stderr
      });
      const createdAt = new Date(Date.now() - 60_000).toISOString();
      await harness.publishSnapshot({
        ...harness.snapshot(instanceId, {
          intervalSeconds,
          resources: [resourceConfig('companies', { pageSize: 1 })],
        }),
        createdAt,
        updatedAt: createdAt,
      });
      await waitFor(() => pollIdsOf(instanceId, firstKey).size === 1, {
        what: 'the first page published by the child',
        timeoutMs: 60_000,
      });
      return child;
    }

    it('a poller killed between publishing and committing re-publishes the window rather than losing it', async () => {
      const instanceId = 'inst-killed';
      const keys = await seedCompanies('Killed', 3);
      const killed = await childPolling(instanceId, keys[0]!, 'killed', 60);
      const held = (await harness.schedule(instanceId, 'companies'))!;
      expect(held.current_poll_id).not.toBeNull();
      killed.kill('SIGKILL');
      await new Promise((resolve) => killed.once('exit', resolve));
      expect((await harness.runs(instanceId)).length).toBe(0); // nothing committed
      const watermarkAtKill = (await harness.schedule(instanceId, 'companies'))!.watermark;

      // Its own group: joining the killed member's group would wait out that member's session (30 s);
      // the schedule row is in Postgres already, which is all the successor needs.
      const successor = await harness.startPoller(group('successor'));
      try {
        // Published under the successor's poll, not only the killed one's: on a loaded machine the test
        // may see the child's first page after the child has published the others too.
        const killedPollId = held.current_poll_id;
        await waitFor(
          () =>
            keys.every((key) => [...pollIdsOf(instanceId, key)].some((pollId) => pollId !== killedPollId)),
          { what: 'every record again after the lease expired', timeoutMs: 30_000 },
        );
        expect(pollIdsOf(instanceId, keys[0]!).size).toBe(2);
        await waitFor(
          async () => (await harness.runs(instanceId)).some((run) => run.status === 'succeeded'),
          { what: 'the successor committed' },
        );
        const [run] = await harness.runs(instanceId);
        expect(run!.window_from.getTime()).toBeLessThan(watermarkAtKill.getTime());
        expect((await harness.schedule(instanceId, 'companies'))!.watermark.getTime()).toBeGreaterThan(
          watermarkAtKill.getTime(),
        );
      } finally {
        await harness.stopPoller(successor);
      }
    });

    it('a replica paused (SIGSTOP) past its lease publishes nothing more and moves no watermark once another took over (fencing)', async () => {
      const instanceId = 'inst-paused';
      const keys = await seedCompanies('Paused', 3);
      const paused = await childPolling(instanceId, keys[0]!, 'paused', 3600);
      const stalePollId = (await harness.schedule(instanceId, 'companies'))!.current_poll_id!;
      expect(stalePollId).not.toBeNull();
      // Frozen mid-poll with the next page on its way: the simulator answers while the child is stopped,
      // so on waking the page is already in its socket and nothing but the fence stands between it and
      // a publish (without the fence it goes out before the lease renewal's answer comes back).
      const seenBefore = Math.max(0, ...harness.sim.requests.list().map((request) => request.seq));
      harness.sim.faults.add({ kind: 'slow', delayMs: 4000, count: 1, path: '/octopus/Read' });
      const inFlight = () =>
        harness.sim.requests
          .list({ since: seenBefore, path: '/octopus/Read' })
          .find((request) => request.fault === 'slow');
      await waitFor(() => inFlight() !== undefined, { what: "the child's next page request" });
      paused.kill('SIGSTOP');

      const successor = await harness.startPoller(group('paused-successor'));
      await waitFor(async () => (await harness.runs(instanceId)).some((run) => run.status === 'succeeded'), {
        what: 'the successor took the expired lease over and committed',
        timeoutMs: 60_000,
      });
      await harness.stopPoller(successor);
      const afterTakeover = (await harness.schedule(instanceId, 'companies'))!;
      const publishedByStale = () =>
        harness.rawFor(instanceId).filter((message) => message.value.pollId === stalePollId).length;
      const staleBefore = publishedByStale();
      await waitFor(() => (inFlight()?.status ?? 0) !== 0, {
        what: 'the simulator answered the paused child',
        timeoutMs: 30_000,
      });

      paused.kill('SIGCONT');
      // The woken poll ends as `superseded` (its run is recorded, its schedule update fenced out).
      await waitFor(
        async () =>
          (await harness.runs(instanceId)).some(
            (run) => run.id === stalePollId && run.status === 'superseded',
          ),
        { what: 'the woken poll recorded as superseded', timeoutMs: 60_000 },
      );
      expect(publishedByStale()).toBe(staleBefore);
      const final = (await harness.schedule(instanceId, 'companies'))!;
      expect(final.watermark).toEqual(afterTakeover.watermark);
      expect(final.current_poll_id).toBe(afterTakeover.current_poll_id);
      paused.kill('SIGKILL');
      await new Promise((resolve) => paused.once('exit', resolve));
    });
  });
});
