import type { Logger } from 'pino';
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import { HEADERS } from '@pollcast/contracts';
import type { KafkaClient, OutgoingMessage } from './kafka-client';

export interface ConsumedMessage<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** `null` only for tombstones, and only when the spec accepts them. */
  value: T;
  headers: Record<string, string>;
  correlationId: string | undefined;
  timestamp: string;
  /** The bytes as they arrived; the DLQ receives exactly these. */
  rawValue: Buffer | null;
}

export interface BatchContext<T> {
  partition: number;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  /** Sends one message to the DLQ with the reason; the batch then goes on without it. */
  deadLetter(message: ConsumedMessage<T>, reason: string): Promise<void>;
}

export interface ConsumerSpec<T> {
  groupId: string;
  topic: string;
  dlqTopic: string;
  schema: z.ZodType<T>;
  acceptTombstones?: boolean;
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
  /** Handles the valid messages of one fetched batch (one partition, in offset order). Throwing means
   * "transient, try the batch again": offsets are committed only after it resolves. */
  handle(batch: ReadonlyArray<ConsumedMessage<T | null>>, context: BatchContext<T | null>): Promise<void>;
  /** Receives the outcome counts, e.g. to feed metrics. */
  onOutcome?(outcome: 'processed' | 'dead_lettered' | 'retried', count: number): void;
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(value)'}: ${issue.message}`)
    .join('; ');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a consumer group member that never stalls a partition on a bad message: undecodable or
 * invalid values go to the DLQ with the reason in a header; the handler is retried with capped
 * backoff on transient failure; offsets are committed only after the handler has succeeded.
 */
export class ConsumerRunner<T> {
  private consumer: Consumer | undefined;
  private stopping = false;

  constructor(
    private readonly client: KafkaClient,
    private readonly spec: ConsumerSpec<T>,
    private readonly logger: Logger,
    private readonly service: string,
  ) {}

  async start(): Promise<void> {
    const { spec } = this;
    const consumer = this.client.kafka.consumer({
      groupId: spec.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 200,
      // kafkajs restarts a crashed consumer ~200 ms later — also one that crashed because it was being
      // disconnected mid-rebalance, which left a zombie member holding partitions after shutdown.
      retry: { restartOnFailure: async () => !this.stopping },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      if (this.stopping) return;
      this.logger.error(
        { err: event.payload.error, topic: spec.topic, restart: event.payload.restart },
        'consumer crashed',
      );
      // kafkajs restarts only after retriable errors. Anything else — e.g. "failed to find group
      // coordinator" while the broker restarts — would leave the partitions unconsumed for good.
      if (!event.payload.restart) this.scheduleRestart(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: spec.topic, fromBeginning: spec.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: spec.partitionsConsumedConcurrently ?? 1,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const heartbeat = () => payload.heartbeat();
        const isRunning = () => payload.isRunning();
        const isStale = () => payload.isStale();
        const valid: ConsumedMessage<T | null>[] = [];
        const invalid: { message: ConsumedMessage<T | null>; reason: string }[] = [];
        for (const message of batch.messages) {
          const decoded = this.decode(batch.topic, batch.partition, message);
          if ('reason' in decoded) invalid.push(decoded);
          else valid.push(decoded.message);
        }
        const deadLetter = async (message: ConsumedMessage<T | null>, reason: string) => {
          await this.sendToDlq([{ message, reason }]);
        };
        await this.sendToDlq(invalid);
        let attempt = 0;
        while (valid.length > 0) {
          if (!isRunning() || isStale()) return; // not committed: the next owner redoes it
          try {
            await spec.handle(valid, { partition: batch.partition, heartbeat, isRunning, deadLetter });
            break;
          } catch (error) {
            attempt += 1;
            spec.onOutcome?.('retried', valid.length);
            const delayMs = Math.min(30000, 200 * 2 ** Math.min(attempt, 8)) * (0.5 + Math.random() / 2);
            this.logger.error(
              {
                err: error,
                topic: batch.topic,
                partition: batch.partition,
                attempt,
                delayMs: Math.round(delayMs),
              },
              'batch handler failed; retrying',
            );
            await sleep(delayMs);
            await heartbeat().catch(() => undefined);
          }
        }
        spec.onOutcome?.('processed', valid.length);
        const last = batch.messages.at(-1);
        if (last && isRunning() && !isStale()) {
          // resolveOffset moves kafkajs' fetch position; the commit makes it durable for the group.
          payload.resolveOffset(last.offset);
          const next = (BigInt(last.offset) + 1n).toString();
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        }
        await heartbeat();
      },
    });
  }

  private decode(
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): { message: ConsumedMessage<T | null> } | { message: ConsumedMessage<T | null>; reason: string } {
    const headers = headersOf(message);
    const base = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
      headers,
      correlationId: headers[HEADERS.correlationId],
      timestamp: message.timestamp,
      rawValue: message.value,
    };
    if (message.value === null) {
      if (this.spec.acceptTombstones) return { message: { ...base, value: null } };
      return {
        message: { ...base, value: null },
        reason: 'tombstone (null value) on a topic that does not use them',
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(message.value.toString('utf8'));
    } catch (error) {
      return {
        message: { ...base, value: null },
        reason: `value is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const parsed = this.spec.schema.safeParse(json);
    if (!parsed.success) {
      return {
        message: { ...base, value: json as T },
        reason: `value does not match the schema: ${describeIssues(parsed.error)}`,
      };
    }
    return { message: { ...base, value: parsed.data } };
  }

  private async sendToDlq(
    items: ReadonlyArray<{ message: ConsumedMessage<T | null>; reason: string }>,
  ): Promise<void> {
    if (items.length === 0) return;
    const outgoing: OutgoingMessage[] = items.map(({ message, reason }) => {
      this.logger.warn(
        {
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          correlationId: message.correlationId,
          reason,
        },
        'message sent to the DLQ',
      );
      return {
        key: message.key ?? '',
        value: null,
        rawValue: message.rawValue,
        headers: {
          ...message.headers,
          [HEADERS.dlqReason]: reason.slice(0, 2000),
          [HEADERS.dlqSourceTopic]: message.topic,
          [HEADERS.dlqSourcePartition]: String(message.partition),
          [HEADERS.dlqSourceOffset]: message.offset,
          [HEADERS.dlqService]: this.service,
        },
      };
    });
    await this.client.publish(this.spec.dlqTopic, outgoing);
    this.spec.onOutcome?.('dead_lettered', items.length);
  }

  private scheduleRestart(crashed: Consumer, attempt = 1): void {
    const delayMs = Math.min(30000, 1000 * 2 ** Math.min(attempt - 1, 5));
    setTimeout(() => {
      // Only the member that crashed is replaced, once, and never while stopping.
      if (this.stopping || this.consumer !== crashed) return;
      void (async () => {
        await crashed.disconnect().catch(() => undefined);
        try {
          await this.start();
          this.logger.info({ topic: this.spec.topic, attempt }, 'consumer restarted after a crash');
        } catch (error) {
          this.logger.error(
            { err: error, topic: this.spec.topic, attempt },
            'consumer restart failed; retrying',
          );
          if (this.consumer) this.scheduleRestart(this.consumer, attempt + 1);
        }
      })();
    }, delayMs).unref();
  }

  /** Finishes the batch in flight (its offsets are committed), then leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping || !this.consumer) return;
    this.stopping = true;
    await this.consumer.disconnect();
  }
}
