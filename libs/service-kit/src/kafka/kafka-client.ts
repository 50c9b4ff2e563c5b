import type { Logger } from 'pino';
import { Kafka, logLevel, type Message, type Producer, type LogEntry } from 'kafkajs';
import type { TopicSpec } from '@pollcast/contracts';
import type { KafkaSecurityOptions } from './kafka-security';
import { javaCompatiblePartitioner } from './partitioner';
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
  /** The send in flight: publishes go one at a time (see `publish`). */
  private sending: Promise<unknown> = Promise.resolve();

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
        createPartitioner: javaCompatiblePartitioner,
      });
      await producer.connect();
      return producer;
    })();
    return this.producerPromise;
  }

  /**
   * Publishes and resolves only once every message is acknowledged by all in-sync replicas.
   *
   * One send at a time, and a new producer after a failed one. kafkajs' idempotent producer takes a
   * failed request's sequence numbers back; when the broker had appended that request before the
   * connection closed (a broker restart), another batch sent under the same numbers — concurrently, or
   * next — is taken for a duplicate: acknowledged, and dropped. A soak with broker restarts lost three
   * acknowledged raw changes that way (test/faults/producer-answers.test.ts). A single send's own retries
   * resend the same records under the same numbers, which is what the broker's duplicate check is for;
   * a new producer (a new producer id) starts its numbers afresh.
   */
  async publish(topic: string, messages: ReadonlyArray<OutgoingMessage>): Promise<void> {
    if (messages.length === 0) return;
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
    const sent = this.sending.then(() => this.send(topic, encoded));
    this.sending = sent.catch(() => undefined);
    await sent;
  }

  private async send(topic: string, messages: Message[]): Promise<void> {
    const current = this.producer();
    const forget = () => {
      if (this.producerPromise === current) this.producerPromise = undefined;
    };
    let producer: Producer;
    try {
      producer = await current;
    } catch (error) {
      forget(); // a producer that never connected is not kept: the next send tries again
      throw error;
    }
    try {
      await producer.send({
        topic,
        acks: -1,
        compression: KAFKAJS_COMPRESSION[this.tuning.compression],
        messages,
      });
    } catch (error) {
      if (this.producerPromise === current) {
        forget();
        void producer.disconnect().catch(() => undefined);
        this.logger.warn(
          { err: error, topic },
          'a send failed; the next one starts a new idempotent producer',
        );
      }
      throw error;
    }
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
