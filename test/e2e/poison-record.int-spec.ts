import { topicName } from '@pollcast/contracts';
import { waitFor } from '@pollcast/testing';
import { startPlatform, type RunningPlatform } from '../support/platform';
import {
  createInstance,
  Simulator,
  sinkRequests,
  TopicReader,
  type SinkRequest,
} from '../support/e2e-helpers';

interface Notification {
  message: { events: { objectId: string }[]; raw: Record<string, unknown> };
}

/** Every raw record delivered on a path, by object id (Key). */
function delivered(requests: SinkRequest[]): Map<string, Record<string, unknown>> {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const request of requests.filter((r) => r.response.status < 300)) {
    const { message } = request.json as Notification;
    const objectType = message.raw.objectType as string;
    for (const record of message.raw[objectType] as Record<string, unknown>[]) {
      byKey.set(String(record.Key), record);
    }
  }
  return byKey;
}

async function metricSum(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/**
 * Issue 13: a CRM record holding U+0000 or a lone surrogate — text PostgreSQL cannot store — in
 * instance A must not pause instance B's deliveries on the same partition (one partition here, so
 * everything shares it), and A's record itself arrives, those characters replaced by U+FFFD.
 */
describe('a record PostgreSQL cannot store stalls nobody', () => {
  let platform: RunningPlatform;
  let sim: Simulator;
  let reader: TopicReader;
  let instanceA: string;
  let instanceB: string;

  beforeAll(async () => {
    platform = await startPlatform({ env: { KAFKA_TOPIC_PARTITIONS: '1' }, logLevel: 'warn' });
    sim = new Simulator(platform.simUrl);
    // A reads contacts, B reads opportunities: one simulator, records only one of them sees.
    instanceA = String(
      await createInstance(platform, {
        name: 'tenant-a',
        callbackUrl: `${platform.sinkUrl}/hooks/a`,
        refreshInterval: '2',
        pollerConfiguration: { contacts: {} },
      }),
    );
    instanceB = String(
      await createInstance(platform, {
        name: 'tenant-b',
        callbackUrl: `${platform.sinkUrl}/hooks/b`,
        refreshInterval: '2',
        pollerConfiguration: { opportunities: {} },
      }),
    );
    reader = new TopicReader(topicName('events', platform.topicPrefix));
    await reader.start();
    await new Promise((resolve) => setTimeout(resolve, 5000)); // the first polls happen
  }, 240000);

  afterAll(async () => {
    await reader?.stop();
    await platform?.stop();
  });

  it('delivers B within the usual latency and A with U+FFFD; nothing is retried forever or dead-lettered', async () => {
    const company = await sim.create('AbEntry', { Type: 'Company', CompanyName: 'Acme' });
    const timeToDeliver = async (path: string, key: string, since: number) => {
      await waitFor(async () => delivered(await sinkRequests(platform.sinkUrl, path)).has(key), {
        what: `${key} at ${path}`,
        timeoutMs: 60000,
        intervalMs: 100,
      });
      return Date.now() - since;
    };

    // The usual latency: ordinary records in both instances.
    let start = Date.now();
    const baselineA = await sim.create('AbEntry', {
      Type: 'Contact',
      FirstName: 'Plain',
      LastName: 'A',
      ParentKey: company.Key,
    });
    const baselineB = await sim.create('Opportunity', {
      Objective: 'Plain B',
      Status: 'Open',
      AbEntryKey: company.Key,
    });
    const [usualA, usualB] = await Promise.all([
      timeToDeliver('/hooks/a', baselineA.Key, start),
      timeToDeliver('/hooks/b', baselineB.Key, start),
    ]);

    // Poison in A, ordinary records in B, at the same time, on the same (only) partition.
    start = Date.now();
    const nul = await sim.create('AbEntry', {
      Type: 'Contact',
      FirstName: 'Nul',
      LastName: 'before\u0000after',
      ParentKey: company.Key,
    });
    const lone = await sim.create('AbEntry', {
      Type: 'Contact',
      FirstName: 'Lone\uD800',
      LastName: 'surrogate\uDC00',
      ParentKey: company.Key,
    });
    const ordinary = await Promise.all(
      [1, 2, 3].map((n) =>
        sim.create('Opportunity', { Objective: `Deal ${n}`, Status: 'Open', AbEntryKey: company.Key }),
      ),
    );
    const [poisonA, loneA, ...ordinaryB] = await Promise.all([
      timeToDeliver('/hooks/a', nul.Key, start),
      timeToDeliver('/hooks/a', lone.Key, start),
      ...ordinary.map((record) => timeToDeliver('/hooks/b', record.Key, start)),
    ]);
    const slowestB = Math.max(...ordinaryB);
    process.stdout.write(
      `poison-record timings (ms): usual A ${usualA}, usual B ${usualB}; with poison in A: ` +
        `B ${ordinaryB.join(' / ')} (slowest ${slowestB}), A U+0000 ${poisonA}, A lone surrogate ${loneA}\n`,
    );
    // "Within the usual latency": a poll interval (2 s) and a few seconds of slack over the baseline.
    expect(slowestB).toBeLessThan(Math.max(usualA, usualB) + 5000);

    // A's records arrive with U+FFFD in place of what PostgreSQL cannot store, at the callback…
    const atA = delivered(await sinkRequests(platform.sinkUrl, '/hooks/a'));
    expect(atA.get(nul.Key)).toMatchObject({ LastName: 'before\uFFFDafter' });
    expect(atA.get(lone.Key)).toMatchObject({ FirstName: 'Lone\uFFFD', LastName: 'surrogate\uFFFD' });
    // …and on the events topic.
    await waitFor(
      () => reader.messages.some((m) => (m.value as { objectId?: string }).objectId === lone.Key),
      { what: 'A’s events on the topic' },
    );
    const onTopic = reader.messages.find((m) => (m.value as { objectId?: string }).objectId === nul.Key);
    expect(onTopic?.value).toMatchObject({ instanceId: instanceA, raw: { LastName: 'before\uFFFDafter' } });
    expect(reader.messages.some((m) => (m.value as { instanceId?: string }).instanceId === instanceB)).toBe(
      true,
    );

    // No consumer retried or dead-lettered anything, and the poller says what it replaced.
    for (const url of [platform.pollerUrl, platform.normalizerUrl, platform.dispatcherUrl]) {
      expect(await metricSum(url, 'pollcast_consumer_dead_lettered_total')).toBe(0);
      expect(await metricSum(url, 'pollcast_consumer_retries_total')).toBe(0);
    }
    expect(
      await metricSum(platform.pollerUrl, 'pollcast_poller_records_sanitized_total'),
    ).toBeGreaterThanOrEqual(2);
  }, 180000);
});
