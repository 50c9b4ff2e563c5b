import { Inject, Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { metricFactory, MetricsRegistry } from '@pollcast/service-kit';
import { ScheduleStore } from '../schedule/schedule.store';

type Labels = { element: string; resource: string };
const ELEMENT_RESOURCE = ['element', 'resource'] as const;

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
  /** Records read again exactly as this replica last published them (the window's overlap): not sent. */
  readonly recordsUnchanged: Counter<'element' | 'resource'>;
  readonly providerRetries: Counter<'element' | 'kind'>;
  readonly scheduleLag: Histogram<'element'>;
  readonly pollDuration: Histogram<'element' | 'resource' | 'status'>;
  readonly inFlight: Gauge;
  /** Reconciliations ended, by status (succeeded, failed, superseded). */
  readonly reconciliations: Counter<'element' | 'status'>;
  /** Deletion raw changes acknowledged by Kafka. */
  readonly deletionsPublished: Counter<'element' | 'resource'>;

  constructor(
    @Inject(MetricsRegistry) metrics: MetricsRegistry,
    @Inject(ScheduleStore) schedules: ScheduleStore,
  ) {
    const metric = metricFactory(metrics);
    this.pollsStarted = metric.counter(
      'pollcast_poller_polls_started_total',
      'Polls started',
      ELEMENT_RESOURCE,
    );
    this.pollsSucceeded = metric.counter(
      'pollcast_poller_polls_succeeded_total',
      'Polls whose every page was published and whose watermark advanced',
      ELEMENT_RESOURCE,
    );
    this.pollsFailed = metric.counter(
      'pollcast_poller_polls_failed_total',
      'Polls that failed (watermark unchanged), by error kind',
      [...ELEMENT_RESOURCE, 'kind'],
    );
    this.pollsAbandoned = metric.counter(
      'pollcast_poller_polls_abandoned_total',
      'Polls given up at shutdown or after losing their lease (watermark unchanged)',
      ELEMENT_RESOURCE,
    );
    this.recordsSanitized = metric.counter(
      'pollcast_poller_records_sanitized_total',
      'Provider records whose text held U+0000 or lone surrogates, replaced by U+FFFD before publishing',
      ELEMENT_RESOURCE,
    );
    this.recordsUnchanged = metric.counter(
      'pollcast_poller_records_unchanged_total',
      'Provider records read again exactly as this replica last published them (window overlap), not published again',
      ELEMENT_RESOURCE,
    );
    this.recordsPublished = metric.counter(
      'pollcast_poller_records_published_total',
      'Raw change records acknowledged by Kafka',
      ELEMENT_RESOURCE,
    );
    this.providerRetries = metric.counter(
      'pollcast_poller_provider_retries_total',
      'Provider page requests retried inside a poll (429, 5xx, timeouts)',
      ['element', 'kind'],
    );
    this.scheduleLag = metric.histogram(
      'pollcast_poller_schedule_lag_seconds',
      'How late polls start: claim time minus due time',
      ['element'],
      [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    );
    this.pollDuration = metric.histogram(
      'pollcast_poller_poll_duration_seconds',
      'Poll duration from claim to commit',
      [...ELEMENT_RESOURCE, 'status'],
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    );
    this.inFlight = metric.gauge('pollcast_poller_polls_in_flight', 'Polls running in this replica');
    this.reconciliations = metric.counter(
      'pollcast_poller_reconciliations_total',
      'Reconciliations (id listings diffed with the known ids) ended, by status',
      ['element', 'status'],
    );
    this.deletionsPublished = metric.counter(
      'pollcast_poller_deletions_published_total',
      'Deletion raw changes (known ids a complete listing did not return) acknowledged by Kafka',
      ELEMENT_RESOURCE,
    );
    // Read from the shared table at scrape time: the same answer from every replica. The first of the
    // two gauges to be collected refreshes both.
    const inError = metric.gauge(
      'pollcast_poller_resources_in_error',
      'Active schedules marked in error (failing for long); they keep being retried at the capped rate',
      ELEMENT_RESOURCE,
      async () => {
        const health = await schedules.healthByResource().catch(() => []);
        watermarkAge.reset();
        inError.reset();
        for (const row of health) {
          const labels: Labels = { element: row.elementKey, resource: row.resource };
          watermarkAge.set(labels, row.maxWatermarkAgeSeconds);
          inError.set(labels, row.inError);
        }
      },
    );
    const watermarkAge = metric.gauge(
      'pollcast_poller_watermark_age_seconds',
      'Oldest watermark of the active schedules (now − watermark), per element and resource',
      ELEMENT_RESOURCE,
    );
  }
}
