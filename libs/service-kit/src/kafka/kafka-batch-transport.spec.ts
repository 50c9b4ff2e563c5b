import pino from 'pino';
import { throwError } from 'rxjs';
import { z } from 'zod';
import type { BaseEnv } from '../config/env';
import { ReadinessChecks } from '../health/health';
import { MetricsRegistry } from '../metrics/metrics';
import { KAFKA_BATCH_HANDLER, type KafkaBatchHandlerOptions } from './kafka-batch-handler';
import { KafkaBatchTransport } from './kafka-batch-transport';
import { DEFAULT_KAFKA_TUNING } from './kafka-tuning';
import type { KafkaClient } from './kafka-client';

type EachBatch = (payload: unknown) => Promise<void>;

/** A kafkajs consumer that records its group and hands the test its eachBatch. */
function fakeKafka() {
  const consumers: { groupId: string; eachBatch?: EachBatch; commits: unknown[]; disconnected: boolean }[] =
    [];
  const client = {
    tuning: DEFAULT_KAFKA_TUNING,
    kafka: {
      consumer: ({ groupId }: { groupId: string }) => {
        const state = {
          groupId,
          eachBatch: undefined as EachBatch | undefined,
          commits: [] as unknown[],
          disconnected: false,
        };
        consumers.push(state);
        return {
          events: { CRASH: 'consumer.crash' },
          on: () => undefined,
          connect: () => Promise.resolve(),
          subscribe: () => Promise.resolve(),
          run: ({ eachBatch }: { eachBatch: EachBatch }) => {
            state.eachBatch = eachBatch;
            return Promise.resolve();
          },
          commitOffsets: (offsets: unknown) => {
            state.commits.push(offsets);
            return Promise.resolve();
          },
          disconnect: () => {
            state.disconnected = true;
            return Promise.resolve();
          },
        };
      },
    },
    publish: () => Promise.resolve(),
  };
  return { client: client as unknown as KafkaClient, consumers };
}

const env = {
  POLLCAST_TOPIC_PREFIX: 'p.',
  KAFKA_CONSUMER_MAX_DETERMINISTIC_ATTEMPTS: 1,
  KAFKA_CONSUMER_MAX_UNKNOWN_ATTEMPTS: 1,
} as BaseEnv;

const options: KafkaBatchHandlerOptions<unknown> = {
  schema: z.object({ n: z.number() }),
  consumer: (given) => ({ groupId: `${given.POLLCAST_TOPIC_PREFIX}group` }),
};

function transportWith(client: KafkaClient) {
  const readiness = new ReadinessChecks();
  const transport = new KafkaBatchTransport({
    service: 'test',
    env,
    kafka: client,
    logger: pino({ level: 'silent' }),
    metrics: new MetricsRegistry('test'),
    readiness,
  });
  const listen = () =>
    new Promise<void>((resolve, reject) =>
      transport.listen((error) =>
        error === undefined ? resolve() : reject(error instanceof Error ? error : new Error('listen failed')),
      ),
    );
  return { transport, readiness, listen };
}

function batchPayload(values: unknown[]) {
  return {
    batch: {
      topic: 'p.pollcast.changes.raw.v1',
      partition: 0,
      messages: values.map((value, offset) => ({
        offset: String(offset),
        key: Buffer.from('k'),
        value: Buffer.from(JSON.stringify(value)),
        headers: {},
        timestamp: '0',
      })),
    },
    heartbeat: () => Promise.resolve(),
    isRunning: () => true,
    isStale: () => false,
    resolveOffset: () => undefined,
  };
}

describe('KafkaBatchTransport', () => {
  it('refuses an @EventPattern that is not a @KafkaBatchHandler for a consumed topic', async () => {
    const { transport, listen } = transportWith(fakeKafka().client);
    transport.addHandler('rawChanges', () => Promise.resolve(undefined), true, {});
    await expect(listen()).rejects.toThrow(/not a @KafkaBatchHandler/);
    const other = transportWith(fakeKafka().client);
    other.transport.addHandler('tenants', () => Promise.resolve(undefined), true, {
      [KAFKA_BATCH_HANDLER]: options,
    });
    await expect(other.listen()).rejects.toThrow(/not a @KafkaBatchHandler/);
  });

  it('refuses two handlers for one topic', async () => {
    const { transport, listen } = transportWith(fakeKafka().client);
    for (let i = 0; i < 2; i += 1) {
      transport.addHandler('rawChanges', () => Promise.resolve(undefined), true, {
        [KAFKA_BATCH_HANDLER]: options,
      });
    }
    await expect(listen()).rejects.toThrow(/two @KafkaBatchHandler methods consume 'rawChanges'/);
  });

  it('names the group from env, is ready once started, commits after the handler, and stops on close', async () => {
    const { client, consumers } = fakeKafka();
    const { transport, readiness, listen } = transportWith(client);
    const seen: unknown[] = [];
    transport.addHandler(
      'rawChanges',
      (batch: { value: unknown }[]) => {
        seen.push(...batch.map((message) => message.value));
        return Promise.resolve(undefined);
      },
      true,
      { [KAFKA_BATCH_HANDLER]: options },
    );
    const check = () =>
      readiness
        .entries()
        .find(([name]) => name === 'rawChanges-consumer')?.[1]();
    await listen();
    await expect(check()).resolves.toBeUndefined();
    expect(consumers.map((consumer) => consumer.groupId)).toEqual(['p.group']);
    await consumers[0]?.eachBatch?.(batchPayload([{ n: 1 }, { n: 2 }]));
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
    expect(consumers[0]?.commits).toEqual([
      [{ topic: 'p.pollcast.changes.raw.v1', partition: 0, offset: '2' }],
    ]);
    await transport.close();
    expect(consumers[0]?.disconnected).toBe(true);
    await expect(check()).rejects.toThrow(/not running/);
  });

  it("hands the handler's error (as Nest returns it: an erroring stream) to the failure policy", async () => {
    const { client, consumers } = fakeKafka();
    const { transport, listen } = transportWith(client);
    const outcomes: string[] = [];
    transport.on('outcome', ({ outcome, count }) => outcomes.push(`${outcome} ${count}`));
    let calls = 0;
    transport.addHandler(
      'rawChanges',
      () => {
        calls += 1;
        const poison = Object.assign(new Error('never'), { name: 'PoisonMessageError' });
        return Promise.resolve(throwError(() => poison));
      },
      true,
      { [KAFKA_BATCH_HANDLER]: options },
    );
    await listen();
    await consumers[0]?.eachBatch?.(batchPayload([{ n: 1 }]));
    expect(calls).toBe(1);
    // Deterministic, one attempt allowed: dead-lettered at once and the offset committed.
    expect(outcomes).toEqual(['dead_lettered 1', 'processed 0']);
    expect(consumers[0]?.commits).toHaveLength(1);
  });
});
