import type { Logger } from 'pino';
import { Kafka, logLevel, type Message, type Producer, type LogEntry } from 'kafkajs';
import type { TopicSpec } from '@pollcast/contracts';
import type { KafkaSecurityOptions } from './kafka-security';
import { DEFAULT_KAFKA_TUNING, KAFKAJS_COMPRESSION, type KafkaTuning } from './kafka-tuning';

const KAFKAJS_LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export interface OutgoingMessage {
  key: string;
  /** JSON-serialized; `null` publishes a tombstone. */
  value: unknown;
  /** Bytes to publish as they are (DLQ forwarding); takes precedence over `value`. */
  rawValue?: Buffer | null;
  headers?: Record<string, string>;
}

/** One kafkajs client per process, its one idempotent producer (acks=all), and topic administration.
 * The seam to the Kafka client: services, their use cases and handlers never import kafkajs. */
export class KafkaClient {
  readonly kafka: Kafka;
  private producerPromise: Promise<Producer> | undefined;

  constructor(
    readonly clientId: string,
    readonly brokers: string[],
    private readonly logger: Logger,
    security: KafkaSecurityOptions = {},
    /** Compression and fetch sizes (`kafka-tuning.ts`; KAFKA_PRODUCER_COMPRESSION, KAFKA_CONSUMER_*). */
    readonly tuning: KafkaTuning = DEFAULT_KAFKA_TUNING,
  ) {
    const kafkaLogger = logger.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId,
      brokers,
      ...security,
      connectionTimeout: 5000,
      requestTimeout: 30000,
      retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10000 },
      logLevel: logLevel.WARN,
      // kafkajs logs through pino so every line is JSON with the service name.
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          const { message, ...rest } = log;
          // Group-coordinator churn while a broker starts is expected and retried.
          const quiet = /coordinator (is loading|is not available)|not the correct coordinator/i.test(
            String(rest.error ?? ''),
          );
          kafkaLogger[quiet ? 'debug' : (KAFKAJS_LEVELS[level] ?? 'info')](rest, message);
        },
    });
  }

  producer(): Promise<Producer> {
    this.producerPromise ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 5,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      return producer;
    })();
    return this.producerPromise;
  }

  /** Publishes and resolves only once every message is acknowledged by all in-sync replicas. */
  async publish(topic: string, messages: ReadonlyArray<OutgoingMessage>): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.producer();
    const encoded: Message[] = messages.map((message) => ({
      key: message.key,
      value:
        message.rawValue !== undefined
          ? message.rawValue
          : message.value === null
            ? null
            : JSON.stringify(message.value),
      headers: message.headers,
    }));
    await producer.send({
      topic,
      acks: -1,
      compression: KAFKAJS_COMPRESSION[this.tuning.compression],
      messages: encoded,
    });
  }

  /** Creates missing topics; existing ones are left as they are (idempotent at every start). Services
   * start together and create the same topics at once: a failure is retried against a fresh list of
   * what is still missing, until every topic exists and has a leader. */
  async ensureTopics(specs: ReadonlyArray<TopicSpec>, replicationFactor = 1): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    const created: string[] = [];
    try {
      for (let attempt = 1; ; attempt += 1) {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter((spec) => !existing.has(spec.name));
        try {
          // createTopics resolves false when another service created them first.
          if (
            missing.length > 0 &&
            (await admin.createTopics({
              waitForLeaders: true,
              topics: missing.map((spec) => ({
                topic: spec.name,
                numPartitions: spec.partitions,
                replicationFactor,
                configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
              })),
            }))
          ) {
            created.push(...missing.map((spec) => spec.name));
            this.logger.info({ topics: missing.map((spec) => spec.name) }, 'created topics');
          }
          // Leaders known for every topic (also those another service just created).
          await admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.name) });
          return created;
        } catch (error) {
          if (attempt >= 10) throw error;
          this.logger.debug({ err: error, attempt }, 'topic creation raced another service; retrying');
          await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** Readiness: the cluster answers a metadata request within the timeout. */
  async ping(timeoutMs = 3000): Promise<void> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    const timer = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`Kafka did not answer within ${timeoutMs} ms`)), timeoutMs).unref(),
    );
    try {
      await Promise.race([
        (async () => {
          await admin.connect();
          await admin.describeCluster();
        })(),
        timer,
      ]);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async disconnect(): Promise<void> {
    const producer = this.producerPromise;
    this.producerPromise = undefined;
    if (producer) await (await producer).disconnect();
  }
}
