import type { Logger } from 'pino';
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import { DLQ_HEADER_PREFIX, HEADERS } from '@pollcast/contracts';
import type { MetricsRegistry } from '../metrics/metrics';
import { ConsumerMetrics } from './consumer-metrics';
import { ConsumerLagMetrics } from './consumer-lag';
import {
  classifyFailure,
  DEFAULT_FAILURE_POLICY,
  describeForLog as describeFailureForLog,
  redactReason,
  type FailureClass,
  type FailurePolicyOptions,
} from './failure-policy';
import type { KafkaClient, OutgoingMessage } from './kafka-client';
import { runWithFailurePolicy } from './run-with-failure-policy';

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
  /** Sends one message to the DLQ with the reason (and a bounded code for the metric, default
   * `rejected`); the batch then goes on without it. */
  deadLetter(message: ConsumedMessage<T>, reason: string, reasonCode?: string): Promise<void>;
}

/** The DLQ-bound failure of one message. */
interface DeadLetter<T> {
  message: ConsumedMessage<T>;
  reason: string;
  /** Bounded label for the metric and the log line. */
  reasonCode: string;
  attempts: number;
}

export interface ConsumerSpec<T> {
  groupId: string;
  topic: string;
  dlqTopic: string;
  schema: z.ZodType<T>;
  acceptTombstones?: boolean;
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
  /** Handles valid messages of one partition, in offset order: a fetched batch, or — after a failure
   * the policy holds for deterministic — a part of it, down to one message (the failure policy,
   * `./failure-policy.ts`). It must therefore be safe to call again with any contiguous part of a batch
   * it already handled (idempotent). Offsets are committed only after the whole batch is done. */
  handle(batch: ReadonlyArray<ConsumedMessage<T | null>>, context: BatchContext<T | null>): Promise<void>;
  /** Attempts and backoff; defaults to DEFAULT_FAILURE_POLICY (services pass `failurePolicyFromEnv`). */
  failurePolicy?: Partial<FailurePolicyOptions>;
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

const decodeFailure = (reasonCode: string, reason: string) => ({ reasonCode, reason });

/**
 * Runs a consumer group member that never stalls a partition on a bad message: undecodable or
 * invalid values go to the DLQ with the reason in a header; the handler is retried with capped
 * backoff on transient failure; offsets are committed only after the handler has succeeded.
 */
export class ConsumerRunner<T> {
  private consumer: Consumer | undefined;
  private stopping = false;
  /** Ends backoff waits at once when the consumer stops (a wait can be 30 s; shutdown has 25). */
  private readonly stopped = new AbortController();
  private readonly policy: FailurePolicyOptions;
  private readonly metrics: ConsumerMetrics | undefined;

  /** `metrics`: the service's registry, for `pollcast_consumer_dead_lettered_total`, retries and the
   * group's lag (`pollcast_consumer_lag_messages`). */
  constructor(
    private readonly client: KafkaClient,
    private readonly spec: ConsumerSpec<T>,
    private readonly logger: Logger,
    private readonly service: string,
    metrics?: MetricsRegistry,
  ) {
    this.policy = { ...DEFAULT_FAILURE_POLICY, ...spec.failurePolicy };
    this.metrics = metrics ? ConsumerMetrics.of(metrics) : undefined;
    if (metrics) ConsumerLagMetrics.of(client.kafka, metrics).watch(spec.groupId, spec.topic);
  }

  async start(): Promise<void> {
    await this.run(this.createConsumer());
  }

  private createConsumer(): Consumer {
    const { spec } = this;
    const consumer = this.client.kafka.consumer({
      groupId: spec.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.client.tuning.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(this.client.tuning.sessionTimeoutMs / 3)),
      maxWaitTimeInMs: this.client.tuning.maxWaitTimeInMs,
      minBytes: this.client.tuning.minBytes,
      maxBytesPerPartition: this.client.tuning.maxBytesPerPartition,
      // kafkajs restarts a crashed consumer ~200 ms later — also one that crashed because it was being
      // disconnected mid-rebalance, which left a zombie member holding partitions after shutdown.
      retry: { restartOnFailure: async () => !this.stopping },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      if (this.stopping) return;
      // A warning, not an error: it is restarted either way (most often a broker restarting under it),
      // and a restart that fails is logged as an error below. Lag metrics show partitions left behind.
      this.logger.warn(
        { err: event.payload.error, topic: spec.topic, restart: event.payload.restart },
        'consumer crashed',
      );
      // kafkajs restarts only after retriable errors. Anything else — e.g. "failed to find group
      // coordinator" while the broker restarts — would leave the partitions unconsumed for good.
      if (!event.payload.restart) this.scheduleRestart(consumer);
    });
    return consumer;
  }

  /** Connects and runs `consumer`: a new one, or one that crashed — which then rejoins its group as the
   * member it was if it could not leave (the kafkajs patch in patches/, docs/reliability.md). */
  private async run(consumer: Consumer): Promise<void> {
    const { spec } = this;
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
        const isActive = () => !this.stopping && payload.isRunning() && !payload.isStale();
        const valid: ConsumedMessage<T | null>[] = [];
        const invalid: DeadLetter<T | null>[] = [];
        for (const message of batch.messages) {
          const decoded = this.decode(batch.topic, batch.partition, message);
          if ('reason' in decoded) invalid.push({ ...decoded, attempts: 1 });
          else valid.push(decoded.message);
        }
        if (!(await this.sendToDlq(invalid, isActive))) return;
        const outcome = await runWithFailurePolicy({
          messages: valid,
          options: this.policy,
          isActive,
          pause: async (ms) => {
            await this.sleepUnlessStopping(ms);
            await heartbeat().catch(() => undefined);
          },
          handle: (part, attemptOf) =>
            spec.handle(part, {
              partition: batch.partition,
              heartbeat,
              isRunning,
              // The handler's own verdict: a deterministic failure it found in one message.
              deadLetter: async (message, reason, reasonCode = 'rejected') => {
                const delivered = await this.sendToDlq(
                  [{ message, reason, reasonCode, attempts: attemptOf(message) }],
                  isActive,
                );
                if (!delivered) throw new Error('consumer stopping before the DLQ acknowledged');
              },
            }),
          deadLetter: (message, failure: FailureClass, attempts) =>
            this.sendToDlq(
              [{ message, reason: failure.description, reasonCode: failure.code, attempts }],
              isActive,
            ),
          onRetry: ({ error, failure, attempt, delayMs, first, size }) => {
            spec.onOutcome?.('retried', size);
            this.metrics?.retries.inc({ topic: batch.topic, kind: failure.kind });
            this.logger[failure.kind === 'transient' ? 'warn' : 'error'](
              {
                error: describeFailureForLog(error),
                failure: failure.kind,
                reasonCode: failure.code,
                topic: batch.topic,
                partition: batch.partition,
                firstOffset: first.offset,
                messages: size,
                attempt,
                delayMs,
              },
              'batch handler failed; retrying',
            );
          },
        });
        if (outcome === 'aborted') return; // not committed: the next owner redoes it
        spec.onOutcome?.('processed', valid.length - outcome.deadLettered);
        const last = batch.messages.at(-1);
        if (last && isActive()) {
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
  ):
    | { message: ConsumedMessage<T | null> }
    | { message: ConsumedMessage<T | null>; reason: string; reasonCode: string } {
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
        ...decodeFailure('tombstone', 'tombstone (null value) on a topic that does not use them'),
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(message.value.toString('utf8'));
    } catch (error) {
      return {
        message: { ...base, value: null },
        ...decodeFailure(
          'not_json',
          `value is not JSON: ${error instanceof Error ? error.message : String(error)}`,
        ),
      };
    }
    const parsed = this.spec.schema.safeParse(json);
    if (!parsed.success) {
      return {
        message: { ...base, value: json as T },
        ...decodeFailure('schema', `value does not match the schema: ${describeIssues(parsed.error)}`),
      };
    }
    return { message: { ...base, value: parsed.data } };
  }

  /**
   * Publishes to the DLQ (acks=all) and logs exactly one line per message. A broker that does not
   * take it is retried with backoff — the source offset is committed only after the DLQ has the
   * message. Resolves false when the consumer stopped first (nothing committed; the batch is redone).
   */
  private async sendToDlq(
    items: ReadonlyArray<DeadLetter<T | null>>,
    isActive: () => boolean,
  ): Promise<boolean> {
    if (items.length === 0) return true;
    const outgoing: OutgoingMessage[] = items.map(({ message, reason, attempts }) => ({
      key: message.key ?? '',
      value: null,
      rawValue: message.rawValue,
      headers: {
        ...withoutDlqHeaders(message.headers),
        [HEADERS.dlqReason]: reason.slice(0, 2000),
        [HEADERS.dlqAttempts]: String(attempts),
        [HEADERS.dlqSourceTopic]: message.topic,
        [HEADERS.dlqSourcePartition]: String(message.partition),
        [HEADERS.dlqSourceOffset]: message.offset,
        [HEADERS.dlqService]: this.service,
        [HEADERS.dlqConsumerGroup]: this.spec.groupId,
        [HEADERS.dlqFailedAt]: new Date().toISOString(),
      },
    }));
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.publish(this.spec.dlqTopic, outgoing);
        break;
      } catch (error) {
        if (!isActive()) return false;
        const failure = classifyFailure(error);
        if (failure.kind === 'deterministic' && outgoing.some((message) => message.rawValue !== null)) {
          // The DLQ refuses the record itself (e.g. too large once the DLQ headers are added): keep
          // key, headers and reason, drop the value — a DLQ that stalls would stall the partition too.
          this.logger.error(
            { error: describeFailureForLog(error), dlqTopic: this.spec.dlqTopic },
            'the DLQ refused the message; dead-lettering it without its value',
          );
          for (const message of outgoing) {
            message.rawValue = null;
            if (message.headers) {
              message.headers[HEADERS.dlqReason] =
                `${message.headers[HEADERS.dlqReason] ?? ''} (value dropped: the DLQ refused it: ${failure.code})`.slice(
                  0,
                  2000,
                );
            }
          }
          continue;
        }
        const delayMs = Math.min(this.policy.backoffMaxMs, 500 * attempt);
        this.logger.error(
          { error: describeFailureForLog(error), dlqTopic: this.spec.dlqTopic, attempt, delayMs },
          'the DLQ did not take the message; retrying',
        );
        await this.sleepUnlessStopping(delayMs);
      }
    }
    for (const { message, reason, reasonCode, attempts } of items) {
      this.metrics?.deadLettered.inc({ topic: message.topic, reason: reasonCode });
      // Ids and the reason only: the record itself is in the DLQ, never in the logs.
      this.logger.warn(
        {
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          key: message.key,
          correlationId: message.correlationId,
          dlqTopic: this.spec.dlqTopic,
          reasonCode,
          reason: redactReason(reason),
          attempts,
        },
        'message dead-lettered',
      );
    }
    this.spec.onOutcome?.('dead_lettered', items.length);
    return true;
  }

  private scheduleRestart(crashed: Consumer, attempt = 1): void {
    const delayMs = Math.min(30000, 1000 * 2 ** Math.min(attempt - 1, 5));
    setTimeout(() => {
      // Only the member that crashed is replaced, once, and never while stopping.
      if (this.stopping || this.consumer !== crashed) return;
      void (async () => {
        await crashed.disconnect().catch(() => undefined);
        try {
          await this.run(crashed);
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

  private sleepUnlessStopping(ms: number): Promise<void> {
    const { signal } = this.stopped;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Lets the batch in flight end (a batch still failing ends uncommitted, to be redone by the next
   * owner), then leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping || !this.consumer) return;
    this.stopping = true;
    this.stopped.abort();
    await this.consumer.disconnect();
  }
}

/** A re-dead-lettered (replayed) message keeps its original headers, not those of its last failure. */
function withoutDlqHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(DLQ_HEADER_PREFIX)));
}
