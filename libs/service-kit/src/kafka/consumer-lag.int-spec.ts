import pino from 'pino';
import { kafkaBrokers, uniqueName } from '@pollcast/testing';
import { MetricsRegistry } from '../metrics/metrics';
import { ConsumerLagMetrics } from './consumer-lag';
import { KafkaClient } from './kafka-client';

describe('consumer lag from the real broker', () => {
  const client = new KafkaClient(uniqueName('lag-'), kafkaBrokers().split(','), pino({ level: 'silent' }));
  afterAll(() => client.disconnect());

  it('reports high watermark minus the committed offset per partition, read at scrape time', async () => {
    const topic = uniqueName('lag.');
    const groupId = uniqueName('lag-group-');
    await client.ensureTopics([{ name: topic, partitions: 2 }]);
    const producer = await client.producer();
    await producer.send({
      topic,
      messages: Array.from({ length: 5 }, (_, n) => ({ partition: 0, value: String(n) })),
    });
    const registry = new MetricsRegistry('test');
    ConsumerLagMetrics.of(client.kafka, registry).watch(groupId, topic);

    // Never committed: everything in the log is behind.
    expect(await registry.registry.metrics()).toContain(
      `pollcast_consumer_lag_messages{group="${groupId}",topic="${topic}",partition="0",component="test"} 5`,
    );
    const admin = client.kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });
    await admin.disconnect();

    const scraped = await registry.registry.metrics();
    expect(scraped).toContain(
      `pollcast_consumer_lag_messages{group="${groupId}",topic="${topic}",partition="0",component="test"} 3`,
    );
    expect(scraped).toContain(
      `pollcast_consumer_lag_messages{group="${groupId}",topic="${topic}",partition="1",component="test"} 0`,
    );
  });

  it('answers the scrape without lag series when the broker does not', async () => {
    const unreachable = new KafkaClient('lag-down', ['127.0.0.1:1'], pino({ level: 'silent' }));
    const registry = new MetricsRegistry('test');
    ConsumerLagMetrics.of(unreachable.kafka, registry).watch('g', 't');
    const scraped = await registry.registry.metrics();
    expect(scraped).toContain('# TYPE pollcast_consumer_lag_messages gauge');
    expect(scraped).not.toMatch(/pollcast_consumer_lag_messages\{/);
  });
});
