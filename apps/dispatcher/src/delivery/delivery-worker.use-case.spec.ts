import pino from 'pino';
import type { InstanceSettingsStore } from '../settings/instance-settings.store';
import type { DeliveryInfoCache } from '../settings/delivery-info.cache';
import type { AttemptResult, CallbackClient } from './callback.client';
import { DeliveryWorker } from './delivery-worker.use-case';
import type { DispatcherMetrics } from './dispatcher-metrics';
import { EndpointGate } from './endpoint-gate';
import type { ClaimedNotification, NotificationStore } from './notification.store';
import { DEFAULT_RETRY_POLICY } from './retry-policy';

function notification(index: number, callbackUrl: string): ClaimedNotification {
  return {
    id: `n-${index}`,
    leaseToken: `t-${index}`,
    instanceId: `i-${callbackUrl}`,
    organizationId: 'org',
    body: '{}',
    eventCount: 1,
    attempts: 0,
    subscriptionActive: true,
    traceparent: null,
    oldestEventAtMs: Date.now() - 5000,
    settings: { enabled: true, eventsEnabled: true, callbackUrl, hasSignatureKey: false },
  };
}

/** A store that hands out a fixed list once and records what the worker writes back. */
function fakeStore(claimable: ClaimedNotification[]) {
  const completed: string[] = [];
  const deferred: string[] = [];
  const store = {
    claimDue: (limit: number) => Promise.resolve(claimable.splice(0, limit)),
    complete: (claim: { id: string }) => {
      completed.push(claim.id);
      return Promise.resolve();
    },
    defer: (claim: { id: string }) => {
      deferred.push(claim.id);
      return Promise.resolve();
    },
    deactivateSubscription: () => Promise.resolve(0),
  };
  return { store: store as unknown as NotificationStore, completed, deferred };
}

/** A sender whose calls stay open until the test lets them answer. */
function heldSender() {
  const open: { url: string; answer: () => void }[] = [];
  const sender = {
    send: (url: string) =>
      new Promise<AttemptResult>((resolve) => {
        open.push({
          url,
          answer: () => resolve({ kind: 'delivered', statusCode: 200, latencyMs: 1, responseBody: '' }),
        });
      }),
  };
  return { sender: sender as unknown as CallbackClient, open };
}

/** Delivery latencies the worker observed (seconds). */
const latencies: number[] = [];
const metrics = {
  deliveryLatency: { observe: (seconds: number) => void latencies.push(seconds) },
  deliveries: { inc: () => undefined },
  attemptDuration: { observe: () => undefined },
  parked: { set: () => undefined },
} as unknown as DispatcherMetrics;

// Lets timers and promise chains run (claims are scheduled with setTimeout).
const flush = () => new Promise((resolve) => setTimeout(resolve, 5));

function workerWith(store: NotificationStore, sender: CallbackClient, endpointLimit: number) {
  return new DeliveryWorker(
    {
      concurrency: 16,
      claimBatch: 100,
      pollIntervalMs: 60_000,
      leaseMs: 45_000,
      retryPolicy: DEFAULT_RETRY_POLICY,
      userAgent: 'test',
    },
    {
      store,
      settings: {} as InstanceSettingsStore,
      instanceService: {} as DeliveryInfoCache,
      sender,
      gate: new EndpointGate({ maxInFlight: endpointLimit, failureThreshold: 5, openMs: 30_000 }),
      metrics,
      logger: pino({ level: 'silent' }),
    },
  );
}

describe('DeliveryWorker with a busy endpoint', () => {
  const workers: DeliveryWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });

  /** A started worker over the given claimable rows, after its first claim has run. */
  async function running(claimable: ClaimedNotification[], endpointLimit: number) {
    const fakes = fakeStore(claimable);
    const { sender, open } = heldSender();
    const worker = workerWith(fakes.store, sender, endpointLimit);
    workers.push(worker);
    worker.start();
    await flush();
    await flush();
    return { ...fakes, open, worker };
  }

  it('keeps notifications for a saturated endpoint in the replica, sending them in order as slots free', async () => {
    const claimable = Array.from({ length: 10 }, (_, index) => notification(index, 'http://busy.example'));
    const { completed, deferred, open, worker } = await running(claimable, 2);

    expect(open).toHaveLength(2); // the endpoint's share, no more
    for (let answered = 0; answered < 10; answered += 1) {
      open.shift()?.answer();
      await flush();
      await flush();
      expect(open.length).toBeLessThanOrEqual(2);
    }
    await worker.stop();
    expect(completed).toEqual(Array.from({ length: 10 }, (_, index) => `n-${index}`));
    expect(deferred).toEqual([]); // no round trips back to Postgres while waiting
    // Event time (5 s before the claim) → 2xx, once per delivered notification.
    expect(latencies.slice(-10)).toHaveLength(10);
    expect(Math.min(...latencies.slice(-10))).toBeGreaterThanOrEqual(5);
  });

  it('does not let a saturated endpoint hold the slots of another', async () => {
    const claimable = [
      ...Array.from({ length: 6 }, (_, index) => notification(index, 'http://busy.example')),
      notification(99, 'http://other.example'),
    ];
    const { completed, open, worker } = await running(claimable, 2);
    const other = open.find((call) => call.url === 'http://other.example');
    expect(other).toBeDefined();
    other?.answer();
    await flush();
    await flush();
    expect(completed).toEqual(['n-99']);
    while (open.length > 0) {
      for (const call of open.splice(0)) call.answer();
      await flush();
      await flush();
    }
    await worker.stop();
    expect(completed).toHaveLength(7);
  });

  it('hands parked notifications back to Postgres when it stops', async () => {
    const claimable = Array.from({ length: 5 }, (_, index) => notification(index, 'http://busy.example'));
    const { deferred, open, worker } = await running(claimable, 1);
    expect(open).toHaveLength(1);
    const stopping = worker.stop();
    open.shift()?.answer();
    await stopping;
    expect(deferred.sort()).toEqual(['n-1', 'n-2', 'n-3', 'n-4']);
  });
});
