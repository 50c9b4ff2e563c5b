import { objectKey } from '@pollcast/contracts';
import { waitFor } from '@pollcast/testing';
import { PollerHarness, resourceConfig } from './testing/harness';

jest.setTimeout(90_000);

let harness: PollerHarness;

beforeAll(async () => {
  harness = await PollerHarness.create();
  await harness.startPoller();
});

afterAll(async () => {
  await harness?.close();
});

const keyOf = (record: Record<string, unknown>) => String(record.Key);

describe('polling', () => {
  it('publishes every record created or updated between polls, once per window, and advances the watermark', async () => {
    const { sim } = harness;
    // History: changed a minute before the instance exists — a first poll must not read it.
    sim.clock.set(new Date(Date.now() - 60_000));
    const old = sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'Before' });
    sim.clock.set(new Date());
    sim.store.clearChanges();

    const instanceId = 'inst-changes';
    await harness.liveInstance(instanceId);

    const created = [1, 2, 3].map((n) =>
      sim.store.create('AbEntry', { Type: 'Company', CompanyName: `New ${n}` }),
    );
    await waitFor(() => harness.rawFor(instanceId).length >= 3, { what: 'the created records' });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // updates land in a later second
    sim.store.update('AbEntry', keyOf(created[0]!), { CompanyName: 'Renamed 1' });
    sim.store.update('AbEntry', keyOf(created[1]!), { City: 'Toronto' });
    const late = sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'Late' });

    const changes = sim.store.changes({ entity: 'AbEntry' });
    expect(changes).toHaveLength(6);
    const delivered = (key: string, lastModified: string) =>
      harness
        .rawFor(instanceId)
        .some(
          (message) => message.value.objectId === key && message.value.record.LastModifyDate === lastModified,
        );
    await waitFor(() => changes.every((change) => delivered(change.Key, change.LastModifyDate)), {
      what: 'every change on the raw topic',
    });

    const messages = harness.rawFor(instanceId);
    expect(messages.some((message) => message.value.objectId === keyOf(old))).toBe(false);
    // Within one poll (one window), a record appears once; every message names its poll.
    const byPoll = new Map<string, string[]>();
    for (const message of messages) {
      expect(message.correlationId).toBe(message.value.pollId);
      expect(message.key).toBe(objectKey(instanceId, 'companies', message.value.objectId));
      expect(message.value).toMatchObject({
        organizationId: 'org-1',
        elementKey: 'maximizer',
        resource: 'companies',
        filterByUpdatedDate: true,
        createdCheckTolerance: 10,
        updated: { field: 'LastModifyDate' },
        created: { field: 'CreationDate' },
      });
      byPoll.set(message.value.pollId, [...(byPoll.get(message.value.pollId) ?? []), message.value.objectId]);
    }
    for (const keys of byPoll.values()) expect(new Set(keys).size).toBe(keys.length);
    // The only objects published are the ones that changed.
    expect(new Set(messages.map((message) => message.value.objectId))).toEqual(
      new Set([...created.map(keyOf), keyOf(late)]),
    );

    const runs = await harness.runs(instanceId);
    expect(runs.every((run) => run.status === 'succeeded')).toBe(true);
    const schedule = await harness.schedule(instanceId, 'companies');
    const lastRun = runs.at(-1)!;
    expect(schedule!.watermark.getTime()).toBeGreaterThanOrEqual(lastRun.window_to.getTime());
    expect(lastRun.window_from.getTime()).toBeLessThan(lastRun.window_to.getTime());
  });

  it('publishes a record once while overlapping windows read it again unchanged, and again once changed', async () => {
    const { sim } = harness;
    const instanceId = 'inst-unchanged';
    await harness.liveInstance(instanceId);
    const record = sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'Read by every window' });
    const changedAt = Date.parse(String(record.LastModifyDate));
    // The 5 s overlap: with a 1 s interval, about five windows read it.
    const windowsThatRead = async () =>
      (await harness.runs(instanceId)).filter(
        (run) => run.status === 'succeeded' && run.window_from.getTime() <= changedAt,
      ).length;
    await waitFor(async () => (await windowsThatRead()) >= 4, { what: 'four windows reading the record' });
    const copies = () =>
      harness.rawFor(instanceId).filter((message) => message.value.objectId === keyOf(record));
    expect(copies()).toHaveLength(1);

    sim.store.update('AbEntry', keyOf(record), { CompanyName: 'Renamed' });
    await waitFor(() => copies().length === 2, { what: 'the changed record' });
    expect(copies()[1]?.value.record.CompanyName).toBe('Renamed');
  });

  it('does not lose a record changed later in the second the watermark fell in', async () => {
    const { sim } = harness;
    const instanceId = 'inst-boundary';
    await harness.liveInstance(instanceId);
    // Every record from here on carries the same LastModifyDate second (the provider's precision).
    const second = new Date(Math.floor(Date.now() / 1000) * 1000);
    sim.clock.freeze(second);
    try {
      const first = sim.store.create('AbEntry', { Type: 'Company', CompanyName: 'First in the second' });
      const seenFirst = await waitFor(
        () => harness.rawFor(instanceId).find((message) => message.value.objectId === keyOf(first)),
        { what: 'the first record' },
      );
      // Wait until a poll has committed a watermark past that second.
      await waitFor(
        async () =>
          (await harness.schedule(instanceId, 'companies'))!.watermark.getTime() > second.getTime() + 1000,
        { what: 'a watermark past the shared second' },
      );
      const second2 = sim.store.create('AbEntry', {
        Type: 'Company',
        CompanyName: 'Later in the same second',
      });
      expect(second2.LastModifyDate).toBe(first.LastModifyDate);
      const seenSecond = await waitFor(
        () => harness.rawFor(instanceId).find((message) => message.value.objectId === keyOf(second2)),
        { what: 'the record sharing the boundary second' },
      );
      // It was found by the overlap: the window that read it starts before the shared second.
      expect(new Date(seenSecond.value.window.from).getTime()).toBeLessThanOrEqual(second.getTime());
      expect(seenSecond.value.pollId).not.toBe(seenFirst.value.pollId);
    } finally {
      sim.clock.unfreeze();
      sim.clock.set(new Date());
    }
  });

  it('follows snapshots: resources added and removed, older versions ignored, disabled, re-enabled, deleted', async () => {
    const instanceId = 'inst-lifecycle';
    const resources = () =>
      harness.query<{ resource: string; active: boolean }>(
        `SELECT resource, active FROM poller.schedules WHERE instance_id = $1 ORDER BY resource`,
        [instanceId],
      );
    const v1 = harness.snapshot(instanceId, {
      version: 1,
      resources: [resourceConfig('companies'), resourceConfig('opportunities')],
    });
    await harness.publishSnapshot(v1);
    await waitFor(async () => (await resources()).length === 2, { what: 'two schedule rows' });

    await harness.publishSnapshot(
      harness.snapshot(instanceId, { version: 2, resources: [resourceConfig('companies')] }),
    );
    await waitFor(async () => (await resources()).length === 1, { what: 'opportunities removed' });
    await harness.publishSnapshot(v1); // an older copy: ignored
    await harness.publishSnapshot({
      ...harness.snapshot(instanceId, { version: 3 }),
      events: { ...v1.events, enabled: false, resources: [resourceConfig('companies')] },
    });
    await waitFor(async () => (await resources())[0]?.active === false, { what: 'polling disabled' });
    expect((await resources()).map((row) => row.resource)).toEqual(['companies']);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a poll in flight at that moment may end
    const runsWhenDisabled = (await harness.runs(instanceId)).length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await harness.runs(instanceId)).length).toBe(runsWhenDisabled);

    await harness.publishSnapshot(harness.snapshot(instanceId, { version: 4, enabled: true }));
    await waitFor(async () => (await harness.runs(instanceId)).length > runsWhenDisabled, {
      what: 'polling resumed',
    });

    await harness.publishTombstone(instanceId);
    await waitFor(async () => (await resources()).length === 0, { what: 'the schedule removed' });
    const [instance] = await harness.query(`SELECT id FROM poller.instances WHERE id = $1`, [instanceId]);
    expect(instance).toBeUndefined();
  });
});
