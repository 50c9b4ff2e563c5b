import type { TopicSpec } from '@pollcast/contracts';
import type { KafkaClient } from './kafka-client';

export class MissingTopicsError extends Error {
  constructor(readonly missing: string[]) {
    super(
      `Kafka topic(s) missing: ${missing.join(', ')} (KAFKA_CREATE_TOPICS=false: create them first, see docs/deploy/kubernetes.md)`,
    );
  }
}

/** With KAFKA_CREATE_TOPICS=false (operators pre-create topics and the service may not): every topic the
 * service uses must exist; the error names each one that does not. */
export async function assertTopicsExist(client: KafkaClient, specs: ReadonlyArray<TopicSpec>): Promise<void> {
  const admin = client.kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.map((spec) => spec.name).filter((name) => !existing.has(name));
    if (missing.length > 0) throw new MissingTopicsError(missing);
  } finally {
    await admin.disconnect();
  }
}
