import pino from 'pino';
import { kafkaBrokers, uniqueName } from '@pollcast/testing';
import { KafkaClient } from './kafka-client';
import { assertTopicsExist, MissingTopicsError } from './topic-check';

describe('KAFKA_CREATE_TOPICS=false: topics checked, not created', () => {
  const client = new KafkaClient(
    uniqueName('topic-check-'),
    kafkaBrokers().split(','),
    pino({ level: 'silent' }),
  );
  afterAll(() => client.disconnect());

  it('passes when every topic exists and names each one that does not, creating nothing', async () => {
    const present = uniqueName('present.');
    const missing = uniqueName('missing.');
    await client.ensureTopics([{ name: present, partitions: 1 }]);
    await expect(assertTopicsExist(client, [{ name: present, partitions: 1 }])).resolves.toBeUndefined();

    const check = assertTopicsExist(client, [
      { name: present, partitions: 1 },
      { name: missing, partitions: 1 },
    ]);
    await expect(check).rejects.toThrow(MissingTopicsError);
    await expect(check).rejects.toThrow(`Kafka topic(s) missing: ${missing} (KAFKA_CREATE_TOPICS=false`);
    const admin = client.kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(missing);
    } finally {
      await admin.disconnect();
    }
  });
});
