import type { Logger } from 'pino';
import { inSpan } from '@pollcast/telemetry';
import { callbackHeaders } from '../notifications/signing';
import type { InstanceSettingsStore } from '../settings/instance-settings.store';
import { InstanceServiceUnavailableError } from '@pollcast/instance-client';
import type { DeliveryInfoCache } from '../settings/delivery-info.cache';
import { decideAfterAttempt, describeResult, type AttemptDecision } from './attempt-outcome';
import type { AttemptResult, CallbackClient } from './callback.client';
import { deliverySpan } from './delivery-span';
import type { DeliveryOutcome, DispatcherMetrics } from './dispatcher-metrics';
import { endpointOf, type EndpointGate, type ReleaseOutcome } from './endpoint-gate';
import type { ClaimedNotification, NotificationStore } from './notification.store';
import type { RetryPolicy } from './retry-policy';

export interface DeliveryWorkerOptions {
  concurrency: number;
  claimBatch: number;
  pollIntervalMs: number;
  /** A claimed notification may be taken over by another replica after this (attempt timeout + margin). */
  leaseMs: number;
  retryPolicy: RetryPolicy;
  userAgent: string;
}

export interface DeliveryWorkerDependencies {
  store: NotificationStore;
  settings: InstanceSettingsStore;
  instanceService: DeliveryInfoCache;
  sender: CallbackClient;
  gate: EndpointGate;
  metrics: DispatcherMetrics;
  logger: Logger;
}

// When instance-service cannot be asked, try again shortly without spending one of the tenant's retries.
const INTERNAL_RETRY_MS = 2000;
// Instances we remember the endpoint of, to keep blocked endpoints out of claims.
const MAX_REMEMBERED_INSTANCES = 10_000;
// A claimed notification whose endpoint is busy waits here for a slot rather than going back to
// Postgres (a write and a re-claim each time). Past this it goes back after all: the lease must hold.
const MAX_PARKED_MS = 5000;

interface Parked {
  notification: ClaimedNotification;
  parkedAtMs: number;
}

/**
 * A pool of concurrent attempts fed by claims from Postgres. Each replica runs one; rows are shared
 * through `FOR UPDATE SKIP LOCKED`. Instances whose endpoint is saturated or whose circuit is open are
 * left out of claims, so they never take slots from other tenants.
 */
export class DeliveryWorker {
  private inFlight = 0;
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickAgain = false;
  private stopped = true;
  private wakePending = false;
  private readonly endpointOfInstance = new Map<string, string>();
  /** Claimed notifications waiting for a slot at their endpoint, FIFO per endpoint. */
  private readonly parked = new Map<string, Parked[]>();
  private parkedCount = 0;

  constructor(
    private readonly options: DeliveryWorkerOptions,
    private readonly deps: DeliveryWorkerDependencies,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** New work was recorded in this process: look now instead of at the next interval. */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
    // Hand parked notifications back now, so another replica need not wait for their leases.
    const parked = [...this.parked.values()].flat();
    this.parked.clear();
    this.parkedCount = 0;
    this.deps.metrics.parked.set(0);
    await Promise.allSettled(
      parked.map(({ notification }) =>
        this.deps.store.defer(notification, notification.attempts, Date.now(), null),
      ),
    );
  }

  /** Keeps a claimed notification until its endpoint frees a slot; false when too many already wait. */
  private park(endpoint: string, notification: ClaimedNotification): boolean {
    if (this.stopped || this.parkedCount >= this.options.concurrency) return false;
    const queue = this.parked.get(endpoint) ?? [];
    queue.push({ notification, parkedAtMs: Date.now() });
    this.parked.set(endpoint, queue);
    this.parkedCount += 1;
    this.deps.metrics.parked.set(this.parkedCount);
    return true;
  }

  /** An attempt at the endpoint finished: the oldest parked notification for it goes next. */
  private unpark(endpoint: string): void {
    const queue = this.parked.get(endpoint);
    const next = queue?.shift();
    if (!queue || !next) return;
    if (queue.length === 0) this.parked.delete(endpoint);
    this.parkedCount -= 1;
    this.deps.metrics.parked.set(this.parkedCount);
    const { notification, parkedAtMs } = next;
    if (this.stopped || Date.now() - parkedAtMs > MAX_PARKED_MS) {
      this.count('deferred');
      // Tracked, so stop() waits for it before the database closes.
      const handBack: Promise<void> = this.deps.store
        .defer(notification, notification.attempts, Date.now(), null)
        .catch((error: unknown) =>
          this.deps.logger.error(
            { err: error, notificationId: notification.id },
            'handing back a parked notification failed; its lease will expire',
          ),
        )
        .finally(() => this.running.delete(handBack));
      this.running.add(handBack);
      return;
    }
    this.launch(notification);
  }

  private wakeSoon(): void {
    if (this.stopped || this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.wake();
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    let claimedFull = false;
    try {
      const free = this.options.concurrency - this.inFlight;
      if (free > 0) {
        const claimed = await this.deps.store.claimDue(
          Math.min(free, this.options.claimBatch),
          this.blockedInstances(),
          this.options.leaseMs,
        );
        claimedFull = claimed.length === Math.min(free, this.options.claimBatch);
        for (const notification of claimed) this.launch(notification);
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, 'claiming due notifications failed');
    } finally {
      this.ticking = false;
    }
    const again = this.tickAgain || claimedFull;
    this.tickAgain = false;
    this.schedule(again && this.inFlight < this.options.concurrency ? 0 : this.options.pollIntervalMs);
  }

  private blockedInstances(): string[] {
    const blocked: string[] = [];
    for (const [instanceId, endpoint] of this.endpointOfInstance) {
      if (this.deps.gate.isBlocked(endpoint)) blocked.push(instanceId);
    }
    return blocked;
  }

  private launch(notification: ClaimedNotification): void {
    this.inFlight += 1;
    const run = inSpan('deliver notification', deliverySpan(notification), () => this.attempt(notification))
      .catch((error: unknown) => {
        this.deps.logger.error(
          { err: error, notificationId: notification.id, instanceId: notification.instanceId },
          'delivery attempt crashed; the lease will expire and it will be retried',
        );
      })
      .finally(() => {
        this.inFlight -= 1;
        this.running.delete(run);
        // Claim in batches: one claim per freed slot would cost a query per delivery.
        if (this.inFlight <= this.options.concurrency * 0.75) this.wakeSoon();
      });
    this.running.add(run);
  }

  private count(outcome: DeliveryOutcome): void {
    this.deps.metrics.deliveries.inc({ outcome });
  }

  private async attempt(notification: ClaimedNotification): Promise<void> {
    const { store, gate, logger } = this.deps;
    const log = logger.child({ notificationId: notification.id, instanceId: notification.instanceId });

    let target: {
      enabled: boolean;
      eventsEnabled: boolean;
      callbackUrl: string | null;
      hasSignatureKey: boolean;
    };
    if (notification.settings) {
      target = notification.settings;
    } else {
      // No snapshot consumed yet (events can overtake their instance's snapshot): ask instance-service.
      const info = await this.deliveryInfoOrDefer(notification);
      if (info === 'deferred') return;
      if (info === null) return this.fail(notification, 'instance not found (deleted?)');
      target = {
        enabled: true,
        eventsEnabled: info.eventsEnabled,
        callbackUrl: info.callbackUrl,
        hasSignatureKey: info.signatureKey !== null,
      };
    }
    if (!target.enabled) return this.fail(notification, 'instance is disabled');
    if (!target.eventsEnabled) return this.fail(notification, 'events are disabled for the instance');
    if (!target.callbackUrl) return this.fail(notification, 'the instance has no callback URL');
    if (!notification.subscriptionActive) {
      this.count('queued');
      await store.complete(notification, null, {
        status: 'QUEUED',
        attempts: notification.attempts,
        statusCode: null,
        error: 'subscription deactivated; redeliver to resume',
      });
      return;
    }

    const callbackUrl = target.callbackUrl;
    const endpoint = endpointOf(callbackUrl);
    this.rememberEndpoint(notification.instanceId, endpoint);
    const admission = gate.admit(endpoint);
    if (!admission.admitted) {
      if (admission.reason === 'saturated') {
        if (this.park(endpoint, notification)) return;
        this.count('deferred');
        await store.defer(notification, notification.attempts, admission.retryAtMs, null);
        return;
      }
      // An open circuit counts as a failed attempt, so an endpoint down for days still ends in the queue.
      const result: AttemptResult = {
        kind: 'connection-error',
        latencyMs: 0,
        error: 'circuit open: the endpoint kept failing; not called',
      };
      return this.settle(notification, result, new Date(), admission.retryAtMs, 'circuit_open', log);
    }

    let outcome: ReleaseOutcome = 'neutral';
    let sent: { result: AttemptResult; attemptedAt: Date } | undefined;
    try {
      let signatureKey: string | null = null;
      if (target.hasSignatureKey) {
        const info = await this.deliveryInfoOrDefer(notification);
        if (info === 'deferred') return;
        signatureKey = info?.signatureKey ?? null;
      }
      const attemptedAt = new Date();
      const headers = callbackHeaders({
        notificationId: notification.id,
        body: notification.body,
        timestampSeconds: Math.floor(attemptedAt.getTime() / 1000),
        signatureKey,
        userAgent: this.options.userAgent,
      });
      const result = await this.deps.sender.send(callbackUrl, headers, notification.body);
      // A refusal (SSRF) says nothing about the endpoint's health.
      outcome = result.kind === 'delivered' ? 'success' : result.kind === 'refused' ? 'neutral' : 'failure';
      this.deps.metrics.attemptDuration.observe(
        { result: result.kind === 'delivered' ? 'success' : result.kind },
        result.latencyMs / 1000,
      );
      sent = { result, attemptedAt };
    } finally {
      // The endpoint's slot is about the call alone; recording the attempt need not hold it.
      admission.release(outcome);
      this.unpark(endpoint);
    }
    await this.settle(notification, sent.result, sent.attemptedAt, undefined, undefined, log);
  }

  private async settle(
    notification: ClaimedNotification,
    result: AttemptResult,
    attemptedAt: Date,
    notBeforeMs: number | undefined,
    outcomeOverride: DeliveryOutcome | undefined,
    log: Logger,
  ): Promise<void> {
    const attempts = notification.attempts + 1;
    const decision: AttemptDecision = decideAfterAttempt(result, attempts, this.options.retryPolicy);
    const statusCode = result.kind === 'delivered' || result.kind === 'http-error' ? result.statusCode : null;
    const attemptRecord = {
      attempt: attempts,
      attemptedAt,
      statusCode,
      latencyMs: result.latencyMs,
      outcome: outcomeOverride ?? result.kind,
      error: result.kind === 'delivered' ? null : describeResult(result),
      responseBody: result.kind === 'delivered' || result.kind === 'http-error' ? result.responseBody : null,
    };
    const error = decision.status === 'DELIVERED' ? null : decision.reason;
    const nextAttemptAt =
      decision.status === 'RETRYING'
        ? new Date(Math.max(Date.now() + decision.delayMs, notBeforeMs ?? 0))
        : undefined;
    await this.deps.store.complete(notification, attemptRecord, {
      status: decision.status,
      attempts,
      ...(nextAttemptAt ? { nextAttemptAt } : {}),
      statusCode,
      error,
    });
    switch (decision.status) {
      case 'DELIVERED':
        this.count('delivered');
        if (notification.oldestEventAtMs !== null) {
          // Event time → 2xx, of the notification's oldest event; never negative (a provider clock ahead).
          const seconds = Math.max(0, Date.now() - notification.oldestEventAtMs) / 1000;
          this.deps.metrics.deliveryLatency.observe(seconds);
        }
        return;
      case 'RETRYING':
        this.count(outcomeOverride ?? 'retrying');
        log.info(
          { attempt: attempts, nextAttemptAt, reason: decision.reason },
          'callback failed; will retry',
        );
        return;
      case 'QUEUED': {
        this.count('queued');
        const alsoQueued = await this.deps.store.deactivateSubscription(
          notification.instanceId,
          decision.reason,
        );
        log.warn(
          { attempts, reason: decision.reason, alsoQueued },
          'retries exhausted; subscription deactivated',
        );
        return;
      }
      case 'FAILED':
        if (decision.disableEvents) {
          this.count('disabled');
          log.warn('callback answered 410 Gone; disabling the instance’s events');
          await this.deps.settings.markEventsDisabled(notification.instanceId);
          await this.deps.instanceService
            .disableEvents(notification.instanceId, 'callback answered 410 Gone')
            .catch((disableError: unknown) =>
              log.error({ err: disableError }, 'could not disable the instance’s events at instance-service'),
            );
        } else {
          this.count('failed');
          log.warn({ reason: decision.reason }, 'callback refused; not retried');
        }
        return;
    }
  }

  private async fail(notification: ClaimedNotification, reason: string): Promise<void> {
    this.count('failed');
    await this.deps.store.complete(notification, null, {
      status: 'FAILED',
      attempts: notification.attempts,
      statusCode: null,
      error: reason,
    });
  }

  private async deliveryInfoOrDefer(notification: ClaimedNotification) {
    try {
      return await this.deps.instanceService.deliveryInfo(notification.instanceId);
    } catch (error) {
      if (!(error instanceof InstanceServiceUnavailableError)) throw error;
      this.count('deferred');
      this.deps.logger.warn(
        { instanceId: notification.instanceId, reason: error.message },
        'delivery deferred',
      );
      await this.deps.store.defer(
        notification,
        notification.attempts,
        Date.now() + INTERNAL_RETRY_MS,
        error.message,
      );
      return 'deferred' as const;
    }
  }

  private rememberEndpoint(instanceId: string, endpoint: string): void {
    this.endpointOfInstance.delete(instanceId);
    this.endpointOfInstance.set(instanceId, endpoint);
    if (this.endpointOfInstance.size > MAX_REMEMBERED_INSTANCES) {
      const oldest = this.endpointOfInstance.keys().next();
      if (!oldest.done) this.endpointOfInstance.delete(oldest.value);
    }
  }
}
