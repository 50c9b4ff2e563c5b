import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from '@pollcast/service-kit';
import { ScheduleStore } from '../schedule/schedule.store';

type Labels = { element: string; resource: string };

/** The poller's Prometheus metrics. Labels are element and resource (both bounded by configuration). */
@Injectable()
export class PollerMetrics {
  readonly pollsStarted: Counter<'element' | 'resource'>;
  readonly pollsSucceeded: Counter<'element' | 'resource'>;
  readonly pollsFailed: Counter<'element' | 'resource' | 'kind'>;
  readonly pollsAbandoned: Counter<'element' | 'resource'>;
  readonly recordsPublished: Counter<'element' | 'resource'>;
  /** Records with text PostgreSQL cannot store (U+0000, lone surrogates), replaced by U+FFFD. */
  readonly recordsSanitized: Counter<'element' | 'resource'>;
  readonly providerRetries: Counter<'element' | 'kind'>;
  readonly scheduleLag: Histogram<'element'>;
  readonly pollDuration: Histogram<'element' | 'resource' | 'status'>;
  readonly inFlight: Gauge;

  constructor(
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
    @Inject(ScheduleStore) schedules: ScheduleStore,
  ) {
    const registers = [metrics.registry];
    this.pollsStarted = new Counter({
      name: 'pollcast_poller_polls_started_total',
      help: 'Polls started',
      labelNames: ['element', 'resource'],
      registers,
    });
    this.pollsSucceeded = new Counter({
      name: 'pollcast_poller_polls_succeeded_total',
      help: 'Polls whose every page was published and whose watermark advanced',
      labelNames: ['element', 'resource'],
      registers,
    });
    this.pollsFailed = new Counter({
      name: 'pollcast_poller_polls_failed_total',
      help: 'Polls that failed (watermark unchanged), by error kind',
      labelNames: ['element', 'resource', 'kind'],
      registers,
    });
    this.pollsAbandoned = new Counter({
      name: 'pollcast_poller_polls_abandoned_total',
      help: 'Polls given up at shutdown or after losing their lease (watermark unchanged)',
      labelNames: ['element', 'resource'],
      registers,
    });
    this.recordsSanitized = new Counter({
      name: 'pollcast_poller_records_sanitized_total',
      help: 'Provider records whose text held U+0000 or lone surrogates, replaced by U+FFFD before publishing',
      labelNames: ['element', 'resource'],
      registers,
    });
    this.recordsPublished = new Counter({
      name: 'pollcast_poller_records_published_total',
      help: 'Raw change records acknowledged by Kafka',
      labelNames: ['element', 'resource'],
      registers,
    });
    this.providerRetries = new Counter({
      name: 'pollcast_poller_provider_retries_total',
      help: 'Provider page requests retried inside a poll (429, 5xx, timeouts)',
      labelNames: ['element', 'kind'],
      registers,
    });
    this.scheduleLag = new Histogram({
      name: 'pollcast_poller_schedule_lag_seconds',
      help: 'How late polls start: claim time minus due time',
      labelNames: ['element'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    this.pollDuration = new Histogram({
      name: 'pollcast_poller_poll_duration_seconds',
      help: 'Poll duration from claim to commit',
      labelNames: ['element', 'resource', 'status'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'pollcast_poller_polls_in_flight',
      help: 'Polls running in this replica',
      registers,
    });
    // Read from the shared table at scrape time: the same answer from every replica. The first of the
    // two gauges to be collected refreshes both.
    const inError: Gauge<'element' | 'resource'> = new Gauge({
      name: 'pollcast_poller_resources_in_error',
      help: 'Active schedules marked in error (failing for long); they keep being retried at the capped rate',
      labelNames: ['element', 'resource'],
      registers,
      async collect() {
        const health = await schedules.healthByResource().catch(() => []);
        watermarkAge.reset();
        inError.reset();
        for (const row of health) {
          const labels: Labels = { element: row.elementKey, resource: row.resource };
          watermarkAge.set(labels, row.maxWatermarkAgeSeconds);
          inError.set(labels, row.inError);
        }
      },
    });
    const watermarkAge = new Gauge({
      name: 'pollcast_poller_watermark_age_seconds',
      help: 'Oldest watermark of the active schedules (now − watermark), per element and resource',
      labelNames: ['element', 'resource'],
      registers,
    });
  }
}
