import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { findUnstorableText, rawChangeSchema, type RawChange } from '@pollcast/contracts';
import {
  KafkaBatchHandler,
  KafkaBatchTransport,
  ROOT_LOGGER,
  type BatchContext,
  type ConsumedMessage,
} from '@pollcast/service-kit';
import type { Logger } from 'pino';
import type { Env } from '../env';
import { NormalizerMetrics } from '../metrics/normalizer-metrics';
import { NormalizeRawChanges, type BatchItem } from '../normalize/normalize-raw-changes.use-case';
import { settingsFromEnv } from '../settings';

type RawMessage = ConsumedMessage<RawChange | null>;

/** Consumes `pollcast.changes.raw.v1` in the normalizer's group and hands each batch to the use case.
 * Offsets are committed by the transport only after the batch (events published, state written) is done. */
@Controller()
export class RawChangesConsumer {
  private readonly logger: Logger;

  constructor(
    @Inject(ROOT_LOGGER) logger: Logger,
    @Inject(NormalizeRawChanges) private readonly normalize: NormalizeRawChanges,
    @Inject(NormalizerMetrics) private readonly metrics: NormalizerMetrics,
    @Inject(KafkaBatchTransport) transport: KafkaBatchTransport,
  ) {
    this.logger = logger.child({ component: 'raw-changes-consumer' });
    transport.on('outcome', ({ role, outcome, count }) => {
      if (role !== 'rawChanges') return;
      if (outcome === 'processed') this.metrics.rawMessages.inc(count);
      else if (outcome === 'dead_lettered') this.metrics.deadLettered.inc(count);
      else this.metrics.batchRetries.inc(count);
    });
  }

  @KafkaBatchHandler('rawChanges', {
    schema: rawChangeSchema,
    consumer: (env: Env) => {
      const settings = settingsFromEnv(env);
      return {
        groupId: settings.groupId,
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
      };
    },
  })
  async handle(
    @Payload() batch: ReadonlyArray<RawMessage>,
    @Ctx() context: BatchContext<RawChange | null>,
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
