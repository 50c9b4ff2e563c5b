import pino from 'pino';
import { z } from 'zod';
import { MetricsRegistry } from '../metrics/metrics';
import { ConsumerRunner } from './consumer-runner';
import { DEFAULT_KAFKA_TUNING } from './kafka-tuning';
import type { KafkaClient, OutgoingMessage } from './kafka-client';

type CrashListener = (event: { payload: { error: Error; restart: boolean } }) => void;

/** Just enough of a kafkajs consumer to see it started, crashed and replaced. */
function fakeKafka() {
  const consumers: { crash: CrashListener | undefined; runs: number; disconnected: boolean }[] = [];
  const client = {
    tuning: DEFAULT_KAFKA_TUNING,
    kafka: {
      consumer: () => {
        const state = { crash: undefined as CrashListener | undefined, runs: 0, disconnected: false };
        consumers.push(state);
        return {
          events: { CRASH: 'consumer.crash' },
          on: (_event: string, listener: CrashListener) => {
            state.crash = listener;
          },
          connect: () => Promise.resolve(),
          subscribe: () => Promise.resolve(),
          run: () => {
            state.runs += 1;
            return Promise.resolve();
          },
          disconnect: () => {
            state.disconnected = true;
            return Promise.resolve();
          },
        };
      },
    },
  };
  return { client: client as unknown as KafkaClient, consumers };
}

const flush = async () => {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
};

describe('ConsumerRunner after a crash', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function runner(client: KafkaClient) {
    return new ConsumerRunner(
      client,
      { groupId: 'g', topic: 't', dlqTopic: 't.dlq', schema: z.object({}), handle: () => Promise.resolve() },
      pino({ level: 'silent' }),
      'test',
    );
  }

  it('runs again a consumer that kafkajs will not restart (a non-retriable crash), as the same consumer', async () => {
    const { client, consumers } = fakeKafka();
    await runner(client).start();
    consumers[0]?.crash?.({
      payload: { error: new Error('Failed to find group coordinator'), restart: false },
    });
    await jest.advanceTimersByTimeAsync(1000);
    await flush();
    // The same kafkajs consumer: with the patch it rejoins as the group member it was (no new member id
    // for the coordinator to wait a session timeout beside).
    expect(consumers).toHaveLength(1);
    expect(consumers[0]?.disconnected).toBe(true);
    expect(consumers[0]?.runs).toBe(2);
  });

  it('leaves a retriable crash to kafkajs, and never restarts while stopping', async () => {
    const { client, consumers } = fakeKafka();
    const subject = runner(client);
    await subject.start();
    consumers[0]?.crash?.({ payload: { error: new Error('connection lost'), restart: true } });
    await jest.advanceTimersByTimeAsync(5000);
    expect(consumers[0]?.runs).toBe(1);
    await subject.stop();
    consumers[0]?.crash?.({ payload: { error: new Error('disconnected mid-rebalance'), restart: false } });
    await jest.advanceTimersByTimeAsync(5000);
    expect(consumers[0]?.runs).toBe(1);
  });
});

describe('ConsumerRunner under the failure policy', () => {
  type EachBatch = (payload: unknown) => Promise<void>;

  function fakeBroker(refuse: (message: OutgoingMessage) => Error | undefined = () => undefined) {
    let eachBatch: EachBatch | undefined;
    const published: { topic: string; messages: OutgoingMessage[] }[] = [];
    const commits: unknown[] = [];
    const client = {
      tuning: DEFAULT_KAFKA_TUNING,
      kafka: {
        consumer: () => ({
          events: { CRASH: 'consumer.crash' },
          on: () => undefined,
          connect: () => Promise.resolve(),
          subscribe: () => Promise.resolve(),
          run: (options: { eachBatch: EachBatch }) => {
            eachBatch = options.eachBatch;
            return Promise.resolve();
          },
          commitOffsets: (offsets: unknown) => {
            commits.push(offsets);
            return Promise.resolve();
          },
          disconnect: () => Promise.resolve(),
        }),
      },
      publish: (topic: string, messages: OutgoingMessage[]) => {
        const refused = messages.map(refuse).find((error) => error !== undefined);
        if (refused) return Promise.reject(refused);
        published.push({ topic, messages: messages.map((message) => ({ ...message })) });
        return Promise.resolve();
      },
    };
    const deliver = async (values: string[]) => {
      const resolved: string[] = [];
      await eachBatch?.({
        batch: {
          topic: 'events',
          partition: 2,
          messages: values.map((value, index) => ({
            offset: String(40 + index),
            key: Buffer.from(`key-${index}`),
            value: Buffer.from(value),
            timestamp: '0',
            headers: { 'pollcast-correlation-id': Buffer.from('poll-1'), 'x-origin': Buffer.from('yes') },
          })),
        },
        heartbeat: () => Promise.resolve(),
        isRunning: () => true,
        isStale: () => false,
        resolveOffset: (offset: string) => resolved.push(offset),
      });
      return resolved;
    };
    return { client: client as unknown as KafkaClient, published, commits, deliver };
  }

  it('dead-letters the one message PostgreSQL refuses with reason and attempt headers; the rest are handled in order', async () => {
    const broker = fakeBroker();
    const registry = new MetricsRegistry('test');
    const handled: number[] = [];
    const subject = new ConsumerRunner(
      broker.client,
      {
        groupId: 'g',
        topic: 'events',
        dlqTopic: 'events.dlq',
        schema: z.object({ n: z.number(), text: z.string() }),
        failurePolicy: { backoffInitialMs: 1, backoffMaxMs: 2 },
        handle: async (batch) => {
          if (batch.some((message) => message.value?.text.includes('\u0000'))) {
            throw Object.assign(new Error('unsupported Unicode escape sequence'), {
              name: 'QueryFailedError',
              driverError: Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }),
            });
          }
          handled.push(...batch.map((message) => message.value?.n ?? -1));
        },
      },
      pino({ level: 'silent' }),
      'test',
      registry,
    );
    await subject.start();
    await broker.deliver([
      JSON.stringify({ n: 0, text: 'ok' }),
      JSON.stringify({ n: 1, text: 'nul \u0000 here' }),
      JSON.stringify({ n: 2, text: 'ok' }),
      'not json',
    ]);
    expect(handled).toEqual([0, 2]);
    const dlq = broker.published.flatMap(({ topic, messages }) => messages.map((m) => ({ topic, ...m })));
    expect(dlq.map((m) => m.topic)).toEqual(['events.dlq', 'events.dlq']);
    const [notJson, poisoned] = dlq;
    expect(notJson?.headers).toMatchObject({
      'pollcast-dlq-attempts': '1',
      'pollcast-dlq-source-offset': '43',
    });
    expect(poisoned?.key).toBe('key-1');
    expect(poisoned?.rawValue?.toString()).toBe(JSON.stringify({ n: 1, text: 'nul \u0000 here' }));
    expect(poisoned?.headers).toMatchObject({
      'pollcast-correlation-id': 'poll-1',
      'x-origin': 'yes',
      'pollcast-dlq-reason': 'PostgreSQL 22P05: unsupported Unicode escape sequence',
      'pollcast-dlq-attempts': '5',
      'pollcast-dlq-source-topic': 'events',
      'pollcast-dlq-source-partition': '2',
      'pollcast-dlq-source-offset': '41',
      'pollcast-dlq-service': 'test',
      'pollcast-dlq-consumer-group': 'g',
    });
    // The partition moves on: the whole batch is committed.
    expect(broker.commits).toEqual([[{ topic: 'events', partition: 2, offset: '44' }]]);
    const metrics = await registry.registry.getSingleMetricAsString('pollcast_consumer_dead_lettered_total');
    expect(metrics).toContain('topic="events",reason="pg_22P05",component="test"} 1');
    expect(metrics).toContain('topic="events",reason="not_json",component="test"} 1');
  });

  it('retries a transient failure without dead-lettering, and a stop ends the wait at once, uncommitted', async () => {
    const broker = fakeBroker();
    let calls = 0;
    const subject = new ConsumerRunner(
      broker.client,
      {
        groupId: 'g',
        topic: 'events',
        dlqTopic: 'events.dlq',
        schema: z.object({ n: z.number(), text: z.string() }),
        failurePolicy: { backoffInitialMs: 20_000, backoffMaxMs: 20_000 },
        handle: () => {
          calls += 1;
          return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
        },
      },
      pino({ level: 'silent' }),
      'test',
    );
    await subject.start();
    const startedAt = Date.now();
    const delivering = broker.deliver([JSON.stringify({ n: 0, text: 'ok' })]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await subject.stop();
    await delivering;
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(calls).toBe(1);
    expect(broker.published).toEqual([]);
    expect(broker.commits).toEqual([]);
  });

  it('dead-letters without the value when the DLQ refuses the record itself, rather than stalling', async () => {
    const tooLarge = Object.assign(new Error('The request included a message larger than the max'), {
      name: 'KafkaJSProtocolError',
      type: 'MESSAGE_TOO_LARGE',
    });
    const broker = fakeBroker((message) => (message.rawValue ? tooLarge : undefined));
    const subject = new ConsumerRunner(
      broker.client,
      {
        groupId: 'g',
        topic: 'events',
        dlqTopic: 'events.dlq',
        schema: z.object({ n: z.number(), text: z.string() }),
        handle: () => Promise.resolve(),
      },
      pino({ level: 'silent' }),
      'test',
    );
    await subject.start();
    await broker.deliver(['not json']);
    const [dead] = broker.published.flatMap(({ messages }) => messages);
    expect(dead?.rawValue).toBeNull();
    expect(dead?.headers?.['pollcast-dlq-reason']).toMatch(
      /^value is not JSON: .* \(value dropped: the DLQ refused it: kafka_message_too_large\)$/,
    );
    expect(broker.commits).toHaveLength(1);
  });
});
