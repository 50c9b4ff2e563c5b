import { Counter } from 'prom-client';
import type { MetricsRegistry } from '../metrics/metrics';

const byRegistry = new WeakMap<MetricsRegistry, ConsumerMetrics>();

/** The series every consumer of a service shares (one set per registry, labelled by source topic). */
export class ConsumerMetrics {
  /** `reason`: the bounded reason code (`schema`, `pg_22P05`, `encoding`, `unknown`, `rejected`, …). */
  readonly deadLettered: Counter<'topic' | 'reason'>;
  /** Failed handler attempts that were retried, by failure kind (transient, deterministic, unknown). */
  readonly retries: Counter<'topic' | 'kind'>;

  private constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.deadLettered = new Counter({
      name: 'pollcast_consumer_dead_lettered_total',
      help: 'Messages sent to their topic’s DLQ, by source topic and reason code',
      labelNames: ['topic', 'reason'],
      registers,
    });
    this.retries = new Counter({
      name: 'pollcast_consumer_retries_total',
      help: 'Failed consumer handler attempts that were retried, by source topic and failure kind',
      labelNames: ['topic', 'kind'],
      registers,
    });
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
