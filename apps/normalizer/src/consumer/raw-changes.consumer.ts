import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { findUnstorableText, rawChangeSchema, type RawChange } from '@pollcast/contracts';
import {
  ConsumerRunner,
  failurePolicyFromEnv,
  KafkaClient,
  MetricsRegistry,
  ReadinessChecks,
  ROOT_LOGGER,
  SERVICE_ENV,
  type BatchContext,
  type ConsumedMessage,
} from '@pollcast/service-kit';
import type { Logger } from 'pino';
import type { Env } from '../env';
import { NormalizerMetrics } from '../metrics/normalizer-metrics';
import { NormalizeRawChanges, type BatchItem } from '../normalize/normalize-raw-changes.use-case';
import { NORMALIZER_SETTINGS, type NormalizerSettings } from '../settings';

type RawMessage = ConsumedMessage<RawChange | null>;

/** Consumes `pollcast.changes.raw.v1` in the normalizer's group and hands each batch to the use case.
 * Offsets are committed by the runner only after the batch (events published, state written) is done. */
@Injectable()
export class RawChangesConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private runner: ConsumerRunner<RawChange> | undefined;
  private running = false;

  constructor(
    @Inject(KafkaClient) private readonly kafka: KafkaClient,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(NORMALIZER_SETTINGS) private readonly settings: NormalizerSettings,
    @Inject(NormalizeRawChanges) private readonly normalize: NormalizeRawChanges,
    @Inject(NormalizerMetrics) private readonly metrics: NormalizerMetrics,
    @Inject(MetricsRegistry) private readonly registry: MetricsRegistry,
    @Inject(SERVICE_ENV) private readonly env: Env,
    @Inject(ReadinessChecks) readiness: ReadinessChecks,
  ) {
    readiness.add('raw-changes-consumer', async () => {
      if (!this.running) throw new Error('the raw-changes consumer is not running');
    });
  }

  // Topics exist by now: ServiceKitModule ensures them in onModuleInit.
  async onApplicationBootstrap(): Promise<void> {
    const { settings } = this;
    this.runner = new ConsumerRunner<RawChange>(
      this.kafka,
      {
        groupId: settings.groupId,
        topic: settings.rawChangesTopic,
        dlqTopic: settings.rawChangesDlqTopic,
        schema: rawChangeSchema,
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        failurePolicy: failurePolicyFromEnv(this.env),
        handle: (batch, context) => this.handle(batch, context),
        onOutcome: (outcome, count) => {
          if (outcome === 'processed') this.metrics.rawMessages.inc(count);
          else if (outcome === 'dead_lettered') this.metrics.deadLettered.inc(count);
          else this.metrics.batchRetries.inc(count);
        },
      },
      this.logger.child({ component: 'raw-changes-consumer' }),
      'normalizer',
      this.registry,
    );
    await this.runner.start();
    this.running = true;
  }

  // Before the producer closes (onApplicationShutdown): the batch in flight finishes and commits.
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.runner?.stop();
  }

  private async handle(
    batch: ReadonlyArray<RawMessage>,
    context: BatchContext<RawChange | null>,
  ): Promise<void> {
    const stopTimer = this.metrics.batchDuration.startTimer();
    const items: BatchItem<RawMessage>[] = [];
    for (const message of batch) {
      if (message.value === null) continue;
      // Our poller replaces such text; another producer may not. Neither our state nor any consumer of
      // the events topic could store it, so the change goes to the DLQ before any event is published.
      const unstorable = findUnstorableText(message.value);
      if (unstorable !== undefined) {
        await context.deadLetter(
          message,
          `text PostgreSQL cannot store (U+0000 or a lone surrogate) at ${unstorable}`,
          'unstorable_text',
        );
        continue;
      }
      items.push({ change: message.value, message, headers: message.headers });
    }
    const outcome = await this.normalize.execute(items);
    // After the state commit: a crash before this re-runs the batch, which then suppresses the events
    // and dead-letters these again (at-least-once, like everything else).
    for (const { message, reason } of outcome.rejected) await context.deadLetter(message, reason);
    this.metrics.recordBatch(outcome);
    stopTimer();
    if (outcome.staleWrites > 0) {
      this.logger.warn(
        { partition: context.partition, staleWrites: outcome.staleWrites },
        'dedupe state was already newer for some objects (another consumer owned the partition meanwhile)',
      );
    }
    this.logger.debug(
      {
        partition: context.partition,
        correlationId: batch[0]?.correlationId,
        messages: batch.length,
        events: outcome.events,
        suppressed: outcome.suppressed,
      },
      'normalized a batch',
    );
  }
}
