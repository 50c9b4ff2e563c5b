import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { z } from 'zod';
import { startLocalKafka, type LocalKafkaHandle } from '@pollcast/local-kafka';
import { dataDir, PROFILES, stopLeftovers } from '@pollcast/dev';
import { ConsumerRunner, KafkaClient } from '@pollcast/service-kit';
import { freePort, waitFor } from '@pollcast/testing';
import { brokerProxy } from './fault-kit';

/**
 * A consumer that crashes while the broker is unreachable rejoins its group as the member it was.
 *
 * Found by the soak (broker restarts only, `--log-level info`): now and then a restart took ~31 s to
 * recover instead of ~6. The broker's log said why: a consumer that kafkajs restarted after a crash
 * ("No broker available") joined as a new member; its old member could not leave (the broker was
 * down), so the rebalance the new member started waited for the old one until its session timed out
 * (30 s), and every member of the group waited with it. With the kafkajs patch (patches/) a restarted
 * consumer rejoins under its old member id.
 *
 * Here the broker restarts while five members of one group consume. A member crashes when a metadata
 * answer lists no broker (the broker shutting down), which happens in some restarts and not in others,
 * so the test restarts it until a member crashed (at most 16 times; without a crash it is skipped, as
 * it showed nothing). After each restart the group
 * must hold the same member ids as before.
 */
const PROFILE = PROFILES.faults;
const KAFKA_DIR = dataDir(PROFILE, 'kafka');
/** Restarts until a consumer crashed, at most MAX_RESTARTS: with three members, 11 crashes came in 68
 * restarts over nine runs (0 to 5 per run); five members give more chances. */
const CRASHES_WANTED = 1;
const MAX_RESTARTS = 16;

const log = (line: string) => process.stderr.write(`[consumer-rejoin] ${line}\n`);

void describe('consumers that crash while the broker is unreachable', () => {
  let kafka: LocalKafkaHandle | undefined;
  let proxy: Awaited<ReturnType<typeof brokerProxy>> | undefined;
  const clients: KafkaClient[] = [];
  const runners: ConsumerRunner<{ id: string }>[] = [];

  after(async () => {
    await Promise.allSettled(runners.map((runner) => runner.stop()));
    await Promise.allSettled(clients.map((client) => client.disconnect()));
    await proxy?.close();
    await kafka?.stop();
  });

  void it('rejoin their group as the members they were, so no rebalance waits for a dead member', async (t) => {
    await stopLeftovers(PROFILE, { kafka: true, postgres: false }, log);
    const proxyPort = await freePort();
    // As Toxiproxy in the soak (a stopped port refuses connections instead, which kafkajs survives
    // better). The proxy first: the broker's readiness check already follows its advertised address.
    proxy = await brokerProxy(proxyPort, PROFILE.kafkaPort);
    const kafkaOptions = {
      dir: KAFKA_DIR,
      port: PROFILE.kafkaPort,
      controllerPort: PROFILE.kafkaControllerPort,
      advertisedPort: proxyPort,
      log,
    };
    kafka = await startLocalKafka({ ...kafkaOptions, keepData: false });
    const brokers = [`127.0.0.1:${proxyPort}`];
    const topic = 'consumer-rejoin.v1';
    const groupId = 'consumer-rejoin';
    const seen = new Set<string>();
    const crashes: { restart: boolean }[] = [];
    // The runners' own log lines: "consumer crashed" says whether kafkajs restarts the consumer itself.
    const logger = pino(
      { level: 'warn' },
      {
        write: (line: string) => {
          const entry = JSON.parse(line) as { msg?: string; restart?: boolean };
          if (entry.msg === 'consumer crashed') crashes.push({ restart: entry.restart === true });
        },
      },
    );
    const producer = new KafkaClient('consumer-rejoin-producer', brokers, pino({ level: 'silent' }));
    clients.push(producer);
    await producer.ensureTopics([
      { name: topic, partitions: 4 },
      { name: `${topic}.dlq`, partitions: 1 },
    ]);
    for (const member of ['a', 'b', 'c', 'd', 'e']) {
      const client = new KafkaClient(`consumer-rejoin-${member}`, brokers, logger);
      clients.push(client);
      const runner = new ConsumerRunner<{ id: string }>(
        client,
        {
          groupId,
          topic,
          dlqTopic: `${topic}.dlq`,
          schema: z.object({ id: z.string() }),
          handle: async (batch) => {
            for (const message of batch) if (message.value) seen.add(message.value.id);
          },
        },
        logger,
        'consumer-rejoin-test',
      );
      runners.push(runner);
      await runner.start();
    }
    const admin = producer.kafka.admin();
    await admin.connect();
    const memberIds = async () => {
      const { groups } = await admin.describeGroups([groupId]);
      return (groups[0]?.members ?? []).map((member) => member.memberId).sort();
    };
    /** 40 keys reach all 12 partitions: all of them consumed means the whole group consumes again. */
    const roundTrip = async (name: string) => {
      const ids = Array.from({ length: 40 }, (_, index) => `${name}-${index}`);
      await producer.publish(
        topic,
        ids.map((id) => ({ key: id, value: { id } })),
      );
      const started = Date.now();
      await waitFor(() => ids.every((id) => seen.has(id)), {
        what: `${name}: every partition consumed`,
        timeoutMs: 120_000,
      });
      return Date.now() - started;
    };

    await roundTrip('warm-up');
    await waitFor(async () => (await memberIds()).length === 5, { what: 'five members', timeoutMs: 60_000 });
    const before = await memberIds();
    const recoveries: number[] = [];
    const changed: string[] = [];
    let restarts = 0;
    while (restarts < MAX_RESTARTS && crashes.length < CRASHES_WANTED) {
      const trial = restarts;
      restarts += 1;
      await kafka.stop();
      kafka = await startLocalKafka({ ...kafkaOptions, keepData: true });
      recoveries.push(await roundTrip(`trial-${trial}`));
      const now = await memberIds();
      if (now.join() !== before.join())
        changed.push(`trial ${trial}: ${before.join(', ')} → ${now.join(', ')}`);
    }
    await admin.disconnect();
    log(
      `${restarts} broker restarts: ${crashes.length} consumer crashes (${crashes.filter((crash) => crash.restart).length} restarted by kafkajs); ` +
        `every partition consumed again ${recoveries.map((ms) => `${(ms / 1000).toFixed(1)}`).join(' / ')} s after each broker was ready; member ids changed: ${changed.length}`,
    );
    assert.deepEqual(changed, [], 'consumers rejoined under new member ids');
    if (crashes.length === 0) t.skip(`no consumer crashed in ${restarts} broker restarts: nothing to check`);
  });
});
