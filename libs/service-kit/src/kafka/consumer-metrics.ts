import type { Counter } from 'prom-client';
import { metricFactory } from '../metrics/metric-factory';
import type { MetricsRegistry } from '../metrics/metrics';

const byRegistry = new WeakMap<MetricsRegistry, ConsumerMetrics>();

/** The series every consumer of a service shares (one set per registry, labelled by source topic). */
export class ConsumerMetrics {
  /** `reason`: the bounded reason code (`schema`, `pg_22P05`, `encoding`, `unknown`, `rejected`, …). */
  readonly deadLettered: Counter<'topic' | 'reason'>;
  /** Failed handler attempts that were retried, by failure kind (transient, deterministic, unknown). */
  readonly retries: Counter<'topic' | 'kind'>;

  private constructor(metrics: MetricsRegistry) {
    const metric = metricFactory(metrics);
    this.deadLettered = metric.counter(
      'pollcast_consumer_dead_lettered_total',
      'Messages sent to their topic’s DLQ, by source topic and reason code',
      ['topic', 'reason'],
    );
    this.retries = metric.counter(
      'pollcast_consumer_retries_total',
      'Failed consumer handler attempts that were retried, by source topic and failure kind',
      ['topic', 'kind'],
    );
  }

  static of(metrics: MetricsRegistry): ConsumerMetrics {
    let found = byRegistry.get(metrics);
    if (!found) {
      found = new ConsumerMetrics(metrics);
      byRegistry.set(metrics, found);
    }
    return found;
  }
}
