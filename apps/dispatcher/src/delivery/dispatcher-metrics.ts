import { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsRegistry } from '@pollcast/service-kit';
import type { EndpointGate } from './endpoint-gate';
import type { NotificationStore } from './notification.store';

/** Endpoints named in `pollcast_dispatcher_circuit_open` at most: origins are tenant input, and a
 * scrape must stay small however many endpoints fail at once (the total is always exact). */
export const MAX_CIRCUIT_SERIES = 50;

export type DeliveryOutcome =
  'delivered' | 'retrying' | 'queued' | 'failed' | 'disabled' | 'circuit_open' | 'deferred';

/** Deliveries by outcome, attempt latency, retry queue depth and the oldest pending notification. */
export class DispatcherMetrics {
  readonly deliveries: Counter<'outcome'>;
  readonly attemptDuration: Histogram<'result'>;
  /** Event time → callback 2xx, per delivered notification (its oldest event). */
  readonly deliveryLatency: Histogram;
  readonly eventsRecorded: Counter<'kind'>;
  readonly parked: Gauge;

  constructor(registry: MetricsRegistry, store: NotificationStore, gate: EndpointGate) {
    const register = [registry.registry];
    this.deliveries = new Counter({
      name: 'pollcast_dispatcher_deliveries_total',
      help: 'Notification attempts by what came of them',
      labelNames: ['outcome'],
      registers: register,
    });
    this.attemptDuration = new Histogram({
      name: 'pollcast_dispatcher_attempt_duration_seconds',
      help: 'Duration of one callback attempt',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers: register,
    });
    this.deliveryLatency = new Histogram({
      name: 'pollcast_dispatcher_delivery_latency_seconds',
      help: "Provider's event time to the callback's 2xx, per delivered notification (its oldest event)",
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400],
      registers: register,
    });
    this.eventsRecorded = new Counter({
      name: 'pollcast_dispatcher_events_total',
      help: 'Events consumed: new ones, and duplicates already recorded',
      labelNames: ['kind'],
      registers: register,
    });
    this.parked = new Gauge({
      name: 'pollcast_dispatcher_parked_notifications',
      help: 'Claimed notifications waiting in this replica for a slot at their busy endpoint',
      registers: register,
    });
    new Gauge({
      name: 'pollcast_dispatcher_retry_queue_depth',
      help: 'Notifications not yet delivered, by status',
      labelNames: ['status'],
      registers: register,
      async collect() {
        const backlog = await store.backlog().catch(() => undefined);
        if (!backlog) return;
        this.set({ status: 'pending' }, backlog.pending);
        this.set({ status: 'retrying' }, backlog.retrying);
        this.set({ status: 'sending' }, backlog.sending);
        this.set({ status: 'queued' }, backlog.queued);
      },
    });
    new Gauge({
      name: 'pollcast_dispatcher_circuits_open',
      help: 'Callback endpoints whose circuit breaker is open or half-open in this replica',
      registers: register,
      collect() {
        this.set(gate.openCircuits().length);
      },
    });
    new Gauge({
      name: 'pollcast_dispatcher_circuit_open',
      help: `1 per callback origin whose circuit is open or half-open, at most ${MAX_CIRCUIT_SERIES} origins`,
      labelNames: ['endpoint'],
      registers: register,
      collect() {
        this.reset();
        for (const endpoint of gate.openCircuits().slice(0, MAX_CIRCUIT_SERIES)) this.set({ endpoint }, 1);
      },
    });
    new Gauge({
      name: 'pollcast_dispatcher_oldest_pending_age_seconds',
      help: 'Age of the oldest notification still pending, sending or retrying',
      registers: register,
      async collect() {
        const backlog = await store.backlog().catch(() => undefined);
        if (backlog) this.set(backlog.oldestPendingSeconds);
      },
    });
  }
}
