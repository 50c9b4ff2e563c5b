import type { OnModuleDestroy } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { lastValueFrom } from 'rxjs';
import { DLQ_OF, topicName } from '@pollcast/contracts';
import type { BaseEnv } from '../config/env';
import type { ReadinessChecks } from '../health/health';
import type { MetricsRegistry } from '../metrics/metrics';
import { ConsumerRunner, type BatchContext, type ConsumedMessage } from './consumer-runner';
import { failurePolicyFromEnv } from './failure-policy';
import {
  KAFKA_BATCH_HANDLER,
  type ConsumedTopicRole,
  type KafkaBatchHandlerOptions,
} from './kafka-batch-handler';
import type { KafkaClient } from './kafka-client';

/** A batch's outcome counts, for a service's own series (the normalizer's `raw_messages_total`, …). */
export interface ConsumerOutcome {
  role: ConsumedTopicRole;
  outcome: 'processed' | 'dead_lettered' | 'retried';
  count: number;
}

type TransportEvents = { outcome: (event: ConsumerOutcome) => void };

interface HostedConsumer {
  role: ConsumedTopicRole;
  runner: ConsumerRunner<unknown>;
  started: boolean;
}

export interface KafkaBatchTransportDeps {
  service: string;
  env: BaseEnv;
  kafka: KafkaClient;
  logger: Logger;
  metrics: MetricsRegistry;
  readiness: ReadinessChecks;
}

const BACKGROUND_RETRY_MS = 5000;

/**
 * The Nest transport strategy every service's `@KafkaBatchHandler` (`@EventPattern`) methods run on:
 * one `ConsumerRunner` per handler, so per-batch processing, commit after the batch, the failure policy
 * with its DLQ, consumer metrics, pause/resume and crash restarts are the runner's, unchanged.
 *
 * Nest's `handleEvent` is not used: it starts the handler and returns before it ends (it connects the
 * result stream and drops it), while a commit must wait for the batch and its failure must reach the
 * policy. The handler is called as `handleEvent` would, and its result awaited.
 *
 * Shutdown drains in this order: `close()` runs in `onModuleDestroy`, the first hook of `app.close()`,
 * so consuming stops, each batch in flight runs to its end (uncommitted: ConsumerRunner commits only
 * while not stopping, so the next owner redoes it — never half of it) and the groups are left before any
 * `beforeApplicationShutdown` (the dispatcher's worker, the poller's scheduler) and before
 * `onApplicationShutdown`, where the producer and the database close. Nest's own call of `close()` (after `beforeApplicationShutdown`)
 * then finds it closed.
 */
export class KafkaBatchTransport
  extends Server<TransportEvents>
  implements CustomTransportStrategy, OnModuleDestroy
{
  private readonly consumers: HostedConsumer[] = [];
  private readonly outcomeListeners: TransportEvents['outcome'][] = [];
  private readonly joins: Promise<void>[] = [];
  private stopping = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly deps: KafkaBatchTransportDeps) {
    super();
  }

  /** Called by `startAllMicroservices()`; `callback(error)` fails the boot like a failed bootstrap hook. */
  listen(callback: (error?: unknown) => void): void {
    this.startConsumers().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  on<K extends keyof TransportEvents>(event: K, callback: TransportEvents[K]): void {
    if (event === 'outcome') this.outcomeListeners.push(callback);
  }

  /** The kafkajs client the consumers are made from. */
  unwrap<T>(): T {
    return this.deps.kafka.kafka as T;
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping = true;
      for (const consumer of this.consumers) consumer.started = false;
      await Promise.allSettled(this.consumers.map((consumer) => consumer.runner.stop()));
      await Promise.allSettled(this.joins); // a join in progress ends with the stop above
    })();
    return this.closing;
  }

  private async startConsumers(): Promise<void> {
    const foreground: HostedConsumer[] = [];
    for (const [pattern, handler] of this.getHandlers()) {
      const options = (handler.extras as Record<string, unknown> | undefined)?.[KAFKA_BATCH_HANDLER] as
        KafkaBatchHandlerOptions<unknown> | undefined;
      if (!options || !(pattern in DLQ_OF)) {
        throw new Error(`@EventPattern('${pattern}') is not a @KafkaBatchHandler(<consumed topic role>, …)`);
      }
      if (handler.next) throw new Error(`two @KafkaBatchHandler methods consume '${pattern}'`);
      const consumer = this.host(pattern as ConsumedTopicRole, handler, options);
      if (options.joinInBackground) this.joins.push(this.joinWithRetry(consumer));
      else foreground.push(consumer);
    }
    await Promise.all(
      foreground.map(async (consumer) => {
        await consumer.runner.start();
        consumer.started = !this.stopping;
      }),
    );
  }

  private host(
    role: ConsumedTopicRole,
    handler: MessageHandler,
    options: KafkaBatchHandlerOptions<unknown>,
  ): HostedConsumer {
    const { env, kafka, logger, service, metrics, readiness } = this.deps;
    const prefix = env.POLLCAST_TOPIC_PREFIX;
    const runner = new ConsumerRunner<unknown>(
      kafka,
      {
        ...options.consumer(env),
        topic: topicName(role, prefix),
        dlqTopic: topicName(DLQ_OF[role], prefix),
        schema: options.schema,
        acceptTombstones: options.acceptTombstones,
        fromBeginning: options.fromBeginning,
        failurePolicy: failurePolicyFromEnv(env),
        handle: (batch, context) => this.invoke(handler, batch, context),
        onOutcome: (outcome, count) => {
          for (const listener of this.outcomeListeners) listener({ role, outcome, count });
        },
      },
      logger.child({ consumer: role }),
      service,
      metrics,
    );
    const consumer: HostedConsumer = { role, runner, started: false };
    this.consumers.push(consumer);
    readiness.add(`${role}-consumer`, () =>
      consumer.started ? Promise.resolve() : Promise.reject(new Error(`the ${role} consumer is not running`)),
    );
    return consumer;
  }

  private async invoke(
    handler: MessageHandler,
    batch: ReadonlyArray<ConsumedMessage<unknown>>,
    context: BatchContext<unknown>,
  ): Promise<void> {
    await lastValueFrom(this.transformToObservable(handler(batch, context)), { defaultValue: undefined });
  }

  private async joinWithRetry(consumer: HostedConsumer): Promise<void> {
    while (!this.stopping) {
      try {
        await consumer.runner.start();
        consumer.started = !this.stopping;
        return;
      } catch (error) {
        this.deps.logger.error(
          { err: error, consumer: consumer.role },
          `starting the consumer failed; retrying in ${BACKGROUND_RETRY_MS / 1000} s`,
        );
        await new Promise((resolve) => setTimeout(resolve, BACKGROUND_RETRY_MS));
      }
    }
  }
}
