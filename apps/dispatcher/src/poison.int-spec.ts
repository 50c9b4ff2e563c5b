import { Kafka, logLevel } from 'kafkajs';
import type { RunningService } from '@pollcast/service-kit';
import { HEADERS, topicName } from '@pollcast/contracts';
import { createTestDatabase, kafkaBrokers, uniqueName, waitFor } from '@pollcast/testing';
import { createWebhookSink, type WebhookSink } from '@pollcast/webhook-sink';
import type { Env } from './env';
import type { NotificationBody } from './notifications/notification-body';
import {
  snapshot,
  standardEvent,
  startDispatcher,
  startFakeInstanceService,
  testKafka,
  type FakeInstance,
  type FakeInstanceService,
} from './testing/dispatcher-harness';

interface DlqMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning (plain kafkajs, its own group). */
async function readTopic(topic: string) {
  const kafka = new Kafka({
    clientId: 'poison-reader',
    brokers: kafkaBrokers().split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: uniqueName('reader-') });
  const messages: DlqMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push({
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

/**
 * Events that PostgreSQL cannot store, put straight on the events topic (bypassing the poller, which
 * would have replaced the characters): the dispatcher dead-letters each with its reason and attempt
 * count and goes on with the partition — the message after them is delivered.
 */
describe('dispatcher: a poison event does not stall its partition', () => {
  let prefix: string;
  let dispatcher: RunningService<Env>;
  let instanceService: FakeInstanceService;
  let kafka: ReturnType<typeof testKafka>;
  let sink: WebhookSink;
  let instance: FakeInstance;

  beforeAll(async () => {
    prefix = `${uniqueName('poison')}.`;
    instanceService = await startFakeInstanceService();
    dispatcher = await startDispatcher(await createTestDatabase('poison'), prefix, instanceService.url, {
      DISPATCHER_DELIVERY_CACHE_MS: '1000',
    });
    kafka = testKafka(prefix);
    sink = await createWebhookSink({});
    const id = uniqueName('inst-');
    instance = {
      id,
      organizationId: 'org-a',
      callbackUrl: `${sink.url}/hooks/${id}`,
      signatureKey: null,
      eventsEnabled: true,
    };
    instanceService.instances.set(id, instance);
    await kafka.publishSnapshots([snapshot(instance)]);
  }, 120000);

  afterAll(async () => {
    await sink?.close();
    await dispatcher?.close();
    await kafka?.client.disconnect();
    await instanceService?.close();
  });

  it('dead-letters events with U+0000 or a lone surrogate in a jsonb-bound field; the next message is delivered', async () => {
    const before = standardEvent(instance, 'contacts');
    const nul = standardEvent(instance, 'contacts', {
      raw: { Key: 'nul', Notes: 'a\u0000b' },
    });
    const surrogate = standardEvent(instance, 'contacts', {
      raw: { Key: 'sur', Notes: 'x\uDC00y' },
    });
    const after = standardEvent(instance, 'contacts');
    // One key: one partition, in this order.
    const key = `${instance.id}/contacts/same`;
    const eventsTopic = topicName('events', prefix);
    const startedAt = Date.now();
    await kafka.client.publish(
      eventsTopic,
      [before, nul, surrogate, after].map((value) => ({
        key,
        value,
        headers: { [HEADERS.correlationId]: value.pollId },
      })),
    );
    const deliveredIds = () =>
      sink
        .received({ accepted: true })
        .flatMap((request) => (request.json as NotificationBody).message.events.map((e) => e.objectId));
    await waitFor(() => deliveredIds().includes(after.objectId), {
      what: 'the event after the poison ones at the sink',
      timeoutMs: 30000,
    });
    const afterDeliveredMs = Date.now() - startedAt;
    expect(deliveredIds()).toContain(before.objectId);
    expect(deliveredIds()).not.toContain(nul.objectId);
    expect(deliveredIds()).not.toContain(surrogate.objectId);

    const dlq = await readTopic(topicName('eventsDlq', prefix));
    try {
      await waitFor(() => dlq.messages.length >= 2, { what: 'two messages in the DLQ', timeoutMs: 20000 });
      const [first, second] = dlq.messages;
      for (const [message, event] of [
        [first, nul],
        [second, surrogate],
      ] as const) {
        expect(message?.key).toBe(key);
        expect(JSON.parse(message?.value ?? 'null')).toMatchObject({ eventId: event.eventId });
        expect(message?.headers).toMatchObject({
          [HEADERS.correlationId]: event.pollId,
          [HEADERS.dlqSourceTopic]: eventsTopic,
          [HEADERS.dlqService]: 'dispatcher',
        });
        expect(Number(message?.headers[HEADERS.dlqAttempts])).toBeGreaterThanOrEqual(3);
        expect(message?.headers[HEADERS.dlqSourceOffset]).toMatch(/^\d+$/);
      }
      // PostgreSQL's verdicts: jsonb refuses \u0000 (22P05) and a lone surrogate escape (22P02).
      expect(first?.headers[HEADERS.dlqReason]).toMatch(/^PostgreSQL 22P05: /);
      expect(second?.headers[HEADERS.dlqReason]).toMatch(/^PostgreSQL 22P0\d: /);
      expect(Number(second?.headers[HEADERS.dlqSourceOffset])).toBe(
        Number(first?.headers[HEADERS.dlqSourceOffset]) + 1,
      );
    } finally {
      await dlq.stop();
    }
    // The counter, by reason code.
    const metrics = await (await fetch(`${dispatcher.url}/metrics`)).text();
    expect(metrics).toMatch(/pollcast_consumer_dead_lettered_total\{[^}]*reason="pg_22P05"[^}]*\} 1/);
    process.stdout.write(`poison events: the next message was delivered after ${afterDeliveredMs} ms\n`);
  }, 60000);
});
