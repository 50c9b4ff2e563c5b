import { randomBytes } from 'node:crypto';
import type { KafkaMessage, Message } from 'kafkajs';
import pino from 'pino';
import { z } from 'zod';
import { HEADERS } from '@pollcast/contracts';
import { kafkaBrokers, uniqueName, waitFor } from '@pollcast/testing';
import { ConsumerRunner, type ConsumedMessage } from './consumer-runner';
import { KafkaClient } from './kafka-client';
import { KAFKAJS_COMPRESSION } from './kafka-tuning';

const logger = pino({ level: 'silent' });
const valueSchema = z.object({ n: z.number().int() });

describe('Kafka through the real broker', () => {
  const client = new KafkaClient(uniqueName('client-'), kafkaBrokers().split(','), logger);
  const topic = uniqueName('roundtrip.');
  const dlqTopic = `${topic}.dlq`;
  const runners: ConsumerRunner<unknown>[] = [];

  beforeAll(async () => {
    const created = await client.ensureTopics([
      { name: topic, partitions: 3 },
      { name: dlqTopic, partitions: 1 },
    ]);
    expect(created.sort()).toEqual([dlqTopic, topic].sort());
    // Idempotent: a second start creates nothing and does not fail.
    expect(await client.ensureTopics([{ name: topic, partitions: 3 }])).toEqual([]);
  });

  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await client.disconnect();
  });

  it('produces, consumes in a group, commits, and sends a poison message to the DLQ without stalling', async () => {
    const groupId = uniqueName('group-');
    const seen: ConsumedMessage<unknown>[] = [];
    const runner = new ConsumerRunner<{ n: number }>(
      client,
      { groupId, topic, dlqTopic, schema: valueSchema, handle: async (batch) => void seen.push(...batch) },
      logger,
      'test',
    );
    runners.push(runner);
    await runner.start();

    await client.publish(topic, [
      { key: 'a', value: { n: 1 }, headers: { [HEADERS.correlationId]: 'poll-1' } },
      { key: 'a', value: { n: 'not a number' } },
      { key: 'a', value: { n: 2 } },
    ]);
    const producer = await client.producer();
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: '{not json' },
        { key: 'a', value: JSON.stringify({ n: 3 }) },
      ],
    });

    await waitFor(() => seen.length === 3, { what: 'three valid messages' });
    expect(seen.map((message) => message.value)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(seen[0]?.correlationId).toBe('poll-1');

    // The two bad messages are in the DLQ, with the reason and the original bytes (read raw, as an
    // operator would).
    const dlqSeen: { value: string; headers: Record<string, string> }[] = [];
    const dlqConsumer = client.kafka.consumer({ groupId: uniqueName('dlq-') });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: dlqTopic, fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        dlqSeen.push({ value: message.value?.toString() ?? '', headers });
      },
    });
    await waitFor(() => dlqSeen.length === 2, { what: 'two DLQ messages' });
    await dlqConsumer.disconnect();
    expect(dlqSeen[0]?.headers[HEADERS.dlqReason]).toMatch(/does not match the schema: n:/);
    expect(dlqSeen[0]?.value).toBe('{"n":"not a number"}');
    expect(dlqSeen[1]?.headers[HEADERS.dlqReason]).toMatch(/not JSON/);
    expect(dlqSeen[1]?.value).toBe('{not json');
    expect(dlqSeen[0]?.headers[HEADERS.dlqSourceTopic]).toBe(topic);
    expect(dlqSeen[0]?.headers[HEADERS.correlationId]).toBeUndefined();

    // Offsets are committed: the group's committed offsets cover all five messages.
    await runner.stop();
    const admin = client.kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    const total = committed[0]?.partitions.reduce(
      (sum, partition) => sum + Math.max(0, Number(partition.offset)),
      0,
    );
    expect(total).toBe(5);
  });

  it('lets services that start together create the same topics at once', async () => {
    const topics = [0, 1, 2].map((i) => ({ name: `${uniqueName('race.')}.${i}`, partitions: 3 }));
    const clients = [0, 1, 2, 3].map((i) => new KafkaClient(`race-${i}`, kafkaBrokers().split(','), logger));
    const created = await Promise.all(clients.map((c) => c.ensureTopics(topics)));
    const names = topics.map((t) => t.name);
    expect(created.flat().every((name) => names.includes(name))).toBe(true);
    const admin = client.kafka.admin();
    await admin.connect();
    const existing = await admin.listTopics();
    await admin.disconnect();
    expect(names.every((name) => existing.includes(name))).toBe(true);
    await Promise.all(clients.map((c) => c.disconnect()));
  });

  it('retries a failing handler without committing, then moves on once it succeeds', async () => {
    const retryTopic = uniqueName('retry.');
    await client.ensureTopics([{ name: retryTopic, partitions: 1 }]);
    let calls = 0;
    const handled: number[] = [];
    const runner = new ConsumerRunner<{ n: number }>(
      client,
      {
        groupId: uniqueName('group-'),
        topic: retryTopic,
        dlqTopic,
        schema: valueSchema,
        handle: async (batch) => {
          calls += 1;
          if (calls < 3) throw new Error('database briefly down');
          handled.push(...batch.map((message) => (message.value as { n: number }).n));
        },
      },
      logger,
      'test',
    );
    runners.push(runner);
    await runner.start();
    await client.publish(retryTopic, [{ key: 'k', value: { n: 7 } }]);
    await waitFor(() => handled.length === 1, { what: 'the retried message' });
    expect(handled).toEqual([7]);
    expect(calls).toBe(3);
  });

  // kafkajs' record encoder is patched (patches/kafkajs+2.2.4.patch: buffers not zero-filled, varints
  // written in place, small timestamp deltas without Long): what goes in must come out, byte for byte.
  it.each(['none', 'zstd'] as const)(
    'returns records of every shape byte for byte (compression %s)',
    async (compression) => {
      const shapesTopic = uniqueName('shapes.');
      await client.ensureTopics([{ name: shapesTopic, partitions: 2 }]);
      const now = Date.now();
      const sizes = [0, 1, 63, 64, 127, 128, 8191, 8192, 16383, 16384, 70_000];
      const sent: Message[] = sizes.map((size, index) => ({
        key: index % 2 === 0 ? randomBytes(size % 300) : `key ✓ ${index}`,
        value: randomBytes(size),
        headers: { plain: `h${index}`, 'ünï ✓': Buffer.from([0, 255, index]) },
        // Deltas from the batch's first timestamp: 0, small, past 2^30 ms (the Long path) and negative
        // (kafkajs sorts timestamps as strings, so '999…' can come first).
        timestamp: String([now, now + 5, now - 40 * 86_400_000, 999_999_999_999][index % 4]),
      }));
      sent.push(
        { key: 'tombstone', value: null, timestamp: String(now) },
        { key: 'text', value: 'Ünïcödé 𝄞 '.repeat(500), timestamp: String(now) },
      );
      const producer = await client.producer();
      await producer.send({
        topic: shapesTopic,
        acks: -1,
        compression: KAFKAJS_COMPRESSION[compression],
        messages: sent,
      });

      const received: KafkaMessage[] = [];
      const consumer = client.kafka.consumer({ groupId: uniqueName('shapes-') });
      await consumer.connect();
      await consumer.subscribe({ topic: shapesTopic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void received.push(message) });
      try {
        await waitFor(() => received.length === sent.length, { what: 'every record back' });
      } finally {
        await consumer.disconnect();
      }
      const asBytes = (value: Message['value'] | Message['key']) =>
        value === null || value === undefined ? null : Buffer.from(value).toString('hex');
      const shape = (message: Message | KafkaMessage) => ({
        key: asBytes(message.key),
        value: asBytes(message.value),
        headers: Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([name, value]) => [name, asBytes(value as Buffer)]),
        ),
        timestamp: message.timestamp ?? '',
      });
      const byKey = (a: { key: string | null }, b: { key: string | null }) =>
        (a.key ?? '').localeCompare(b.key ?? '');
      expect(received.map(shape).sort(byKey)).toEqual(sent.map(shape).sort(byKey));
    },
  );

  // Patched too: kafkajs' request queue scheduled a 1 ms check after every answer and every check, so
  // each open connection woke its process 1,000 times a second while idle (~4 % of a core per client).
  it('leaves an idle connection asleep', async () => {
    await client.publish(topic, [{ key: 'idle', value: { n: 1 } }]);
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const shortTimers = timers.mock.calls.filter(([, delay]) => (delay ?? 0) <= 1).length;
      expect(shortTimers).toBeLessThan(50);
    } finally {
      timers.mockRestore();
    }
  });
});
