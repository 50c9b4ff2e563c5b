import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { startLocalKafka, type LocalKafkaHandle } from '@pollcast/local-kafka';
import { dataDir, PROFILES, stopLeftovers } from '@pollcast/dev';
import { KafkaClient } from '@pollcast/service-kit';
import { freePort } from '@pollcast/testing';
import { readTopicToEnd } from '../support/e2e-helpers';
import { brokerProxy, sleep } from './fault-kit';

/**
 * What a publish acknowledges is on the topic, also when the broker's answers are lost.
 *
 * Found by the soak (seed 7, broker restarts only): three polls' sends were acknowledged while one record
 * of each never reached the raw topic. kafkajs' idempotent producer takes a request's sequence numbers
 * back when it fails; when the broker had appended that request and only its answer was lost (a broker
 * going down, a connection reset), another batch sent under the same numbers is taken for a duplicate:
 * acknowledged, and dropped. Here a proxy in front of the broker (the broker advertises it) cuts every
 * connection the moment an answer comes back, for a second, while two publishes of one record each go to
 * the same partition at once: both are appended or retried, and only the answers are lost.
 */
const PROFILE = PROFILES.faults;
const KAFKA_DIR = dataDir(PROFILE, 'kafka');
const TRIALS = 10;

const log = (line: string) => process.stderr.write(`[producer-answers] ${line}\n`);
const logger = pino({ level: 'silent' });

void describe('publishing when the broker’s answers are lost', () => {
  let kafka: LocalKafkaHandle | undefined;
  let proxy: Awaited<ReturnType<typeof brokerProxy>> | undefined;
  const state = { cutting: false };
  let client: KafkaClient | undefined;

  after(async () => {
    await client?.disconnect().catch(() => undefined);
    await proxy?.close();
    await kafka?.stop();
  });

  void it('puts every acknowledged message on the topic when concurrent sends lose their answers', async () => {
    await stopLeftovers(PROFILE, { kafka: true, postgres: false }, log);
    const proxyPort = await freePort();
    // The proxy first: the broker's readiness check already follows its advertised address.
    proxy = await brokerProxy(proxyPort, PROFILE.kafkaPort, () => state.cutting);
    kafka = await startLocalKafka({
      dir: KAFKA_DIR,
      port: PROFILE.kafkaPort,
      controllerPort: PROFILE.kafkaControllerPort,
      advertisedPort: proxyPort,
      keepData: false,
      log,
    });
    client = new KafkaClient('producer-answers-test', [`127.0.0.1:${proxyPort}`], logger);
    const topic = 'producer-answers.v1';
    await client.ensureTopics([{ name: topic, partitions: 1 }]);
    await client.publish(topic, [{ key: 'k', value: { id: 'warm-up' } }]);

    const acknowledged = new Set<string>();
    let failed = 0;
    for (let trial = 0; trial < TRIALS; trial += 1) {
      state.cutting = true;
      const sends = ['a', 'b'].map(async (name) => {
        const id = `${trial}-${name}`;
        await client!.publish(topic, [{ key: 'k', value: { id } }]);
        acknowledged.add(id);
      });
      await sleep(1000);
      state.cutting = false;
      failed += (await Promise.allSettled(sends)).filter((result) => result.status === 'rejected').length;
    }

    process.env.KAFKA_BROKERS = `127.0.0.1:${proxyPort}`; // the test readers' broker
    const onTopic = new Set(
      (await readTopicToEnd(topic)).map((message) => (message.value as { id: string }).id),
    );
    const missing = [...acknowledged].filter((id) => !onTopic.has(id));
    log(
      `${TRIALS} trials: ${acknowledged.size} acknowledged, ${failed} failed, ${proxy.cuts()} answers cut, ${missing.length} acknowledged but missing (${missing.join(', ')})`,
    );
    assert.ok(proxy.cuts() >= TRIALS, 'answers were cut');
    assert.deepEqual(missing, [], 'acknowledged messages are missing from the topic');
  });
});
