import { Inject, Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@pollcast/service-kit';
import { Counter, Histogram } from 'prom-client';
import type { EmittedType, SuppressReason } from '../normalize/decide';

/** The normalizer's Prometheus series (served on /metrics with the service label). */
@Injectable()
export class NormalizerMetrics {
  /** Valid raw changes whose batch completed (each counted once, even when the batch was retried). */
  readonly rawMessages: Counter;
  readonly events: Counter<'type'>;
  readonly suppressed: Counter<'reason'>;
  readonly dateParseErrors: Counter;
  /** Both schema failures (by the runner) and per-message processing failures. */
  readonly deadLettered: Counter;
  readonly batchRetries: Counter;
  readonly batchDuration: Histogram;

  constructor(@Inject(MetricsRegistry) metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.rawMessages = new Counter({
      name: 'pollcast_normalizer_raw_messages_total',
      help: 'Raw changes consumed and processed',
      registers,
    });
    this.events = new Counter({
      name: 'pollcast_normalizer_events_total',
      help: 'Events published, by event type',
      labelNames: ['type'],
      registers,
    });
    this.suppressed = new Counter({
      name: 'pollcast_normalizer_suppressed_total',
      help: 'Raw changes that produced no event: duplicate (unchanged re-read), stale (older re-read), before_window',
      labelNames: ['reason'],
      registers,
    });
    this.dateParseErrors = new Counter({
      name: 'pollcast_normalizer_date_parse_errors_total',
      help: 'Raw changes with a configured date that could not be read',
      registers,
    });
    this.deadLettered = new Counter({
      name: 'pollcast_normalizer_dead_lettered_total',
      help: 'Raw changes sent to the DLQ',
      registers,
    });
    this.batchRetries = new Counter({
      name: 'pollcast_normalizer_batch_retries_total',
      help: 'Raw changes whose batch failed transiently and was retried',
      registers,
    });
    this.batchDuration = new Histogram({
      name: 'pollcast_normalizer_batch_duration_seconds',
      help: 'Time to normalize one batch: state read, publish (acks=all), state write',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  recordBatch(outcome: {
    events: Readonly<Record<EmittedType, number>>;
    suppressed: Readonly<Record<SuppressReason, number>>;
    dateParseErrors: number;
  }): void {
    for (const [type, count] of Object.entries(outcome.events))
      if (count > 0) this.events.inc({ type }, count);
    for (const [reason, count] of Object.entries(outcome.suppressed)) {
      if (count > 0) this.suppressed.inc({ reason }, count);
    }
    if (outcome.dateParseErrors > 0) this.dateParseErrors.inc(outcome.dateParseErrors);
  }
}
