import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { ReadinessChecks, ROOT_LOGGER, SERVICE_ENV } from '@pollcast/service-kit';
import type { Env } from '../env';
import { ReconcileResource } from '../reconciliation/reconcile-resource.use-case';
import { ReconciliationStore, type ClaimedReconciliation } from '../reconciliation/reconciliation.store';
import { ScheduleStore, type ClaimedPoll } from '../schedule/schedule.store';
import { PollerMetrics } from './poller.metrics';
import { PollLease } from './poll-lease';
import { PollResource } from './poll-resource.use-case';

const CLAIM_COALESCE_MS = 5;

interface RunningPoll {
  poll: ClaimedPoll;
  lease: PollLease;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs the due polls of this replica for as long as it lives (the claim loop): whenever it has free
 * slots (POLLER_CONCURRENCY), it leases the most overdue rows (Postgres, SKIP LOCKED) and runs each with
 * `PollResource`; a timer keeps the leases of long polls alive.
 * Several replicas share the table; a row is leased by one of them at a time. Reconciliations (issue 17)
 * are claimed in the same loop with their own lease columns and their own cap
 * (POLLER_RECONCILIATION_CONCURRENCY), so a long listing never takes a poll's slot.
 */
@Injectable()
export class RunDuePolls implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Who holds a lease: readable in the API and in `pg_stat_activity`-style debugging. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, RunningPoll>();
  private readonly reconciling = new Map<string, Pick<RunningPoll, 'controller' | 'done'>>();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;
  private lastClaimError = 0;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: Env,
    @Inject(ROOT_LOGGER) logger: Logger,
    @Inject(ScheduleStore) private readonly schedules: ScheduleStore,
    @Inject(PollResource) private readonly pollResource: PollResource,
    @Inject(ReconciliationStore) private readonly reconciliations: ReconciliationStore,
    @Inject(ReconcileResource) private readonly reconcileResource: ReconcileResource,
    @Inject(PollerMetrics) private readonly metrics: PollerMetrics,
    @Inject(ReadinessChecks) readiness: ReadinessChecks,
  ) {
    this.logger = logger.child({ component: 'scheduler', owner: this.owner });
    readiness.add('scheduler', async () => {
      if (this.loop === undefined || this.stopping) throw new Error('the scheduler is not running');
    });
  }

  onApplicationBootstrap(): void {
    this.loop = this.claimLoop();
    const renewEveryMs = (this.env.POLLER_LEASE_SECONDS * 1000) / 3;
    this.leaseTimer = setInterval(() => void this.renewLeases(), renewEveryMs);
    this.leaseTimer.unref();
    this.logger.info({ concurrency: this.env.POLLER_CONCURRENCY }, 'scheduler started');
  }

  /** Polls running in this replica (API / tests). */
  get inFlight(): number {
    return this.running.size;
  }

  private async claimLoop(): Promise<void> {
    while (!this.stopping) {
      const free = this.env.POLLER_CONCURRENCY - this.running.size;
      let claimed: ClaimedPoll[] = [];
      const sentAt = performance.now();
      if (free > 0) {
        try {
          claimed = await this.schedules.claimDue(free, this.owner, this.env.POLLER_LEASE_SECONDS);
        } catch (error) {
          // Postgres away: keep trying at the tick rate, log once in a while.
          if (Date.now() - this.lastClaimError > 10_000) {
            this.lastClaimError = Date.now();
            this.logger.error({ err: error }, 'claiming due polls failed');
          }
        }
        for (const poll of claimed) this.start(poll, sentAt);
      }
      await this.claimReconciliations();
      // A full batch means more may be due: go again as soon as a slot is free. Otherwise wait a tick.
      if (claimed.length > 0 && claimed.length === free) {
        // Saturated: wait for a slot, then a moment more so one claim fills several slots (one
        // statement per freed slot would make the claim query the bottleneck).
        await this.nextWake(undefined);
        await new Promise((resolve) => setTimeout(resolve, CLAIM_COALESCE_MS));
      } else {
        await this.nextWake(this.env.POLLER_CLAIM_INTERVAL_MS);
      }
    }
  }

  private async claimReconciliations(): Promise<void> {
    const free = this.env.POLLER_RECONCILIATION_CONCURRENCY - this.reconciling.size;
    if (free <= 0 || this.stopping) return;
    let claimed: ClaimedReconciliation[] = [];
    try {
      claimed = await this.reconciliations.claimDue(free, this.owner, this.env.POLLER_LEASE_SECONDS);
    } catch (error) {
      if (Date.now() - this.lastClaimError > 10_000) {
        this.lastClaimError = Date.now();
        this.logger.error({ err: error }, 'claiming due reconciliations failed');
      }
    }
    for (const run of claimed) this.startReconciliation(run);
  }

  private startReconciliation(run: ClaimedReconciliation): void {
    if (this.stopping) return;
    const controller = new AbortController();
    const done = this.reconcileResource
      .execute(run, controller.signal)
      .then(
        () => undefined,
        (error: unknown) => {
          // Only the final database write can fail here; the lease then expires and the run is redone.
          this.logger.error({ err: error, correlationId: run.runId }, 'recording the reconciliation failed');
        },
      )
      .finally(() => {
        this.reconciling.delete(run.runId);
        this.wake?.();
      });
    this.reconciling.set(run.runId, { controller, done });
  }

  private nextWake(timeoutMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      function done() {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private start(poll: ClaimedPoll, claimSentAt: number): void {
    if (this.stopping) return;
    const controller = new AbortController();
    const lease = new PollLease(this.env.POLLER_LEASE_SECONDS * 1000, claimSentAt);
    const done = this.pollResource
      .execute(poll, { owner: this.owner, lease }, controller.signal)
      .then(
        () => undefined,
        (error: unknown) => {
          // Only the final database write can fail here; the lease then expires and the poll is redone.
          this.logger.error({ err: error, correlationId: poll.pollId }, 'recording the poll outcome failed');
        },
      )
      .finally(() => {
        this.running.delete(poll.pollId);
        this.metrics.inFlight.set(this.running.size);
        this.wake?.();
      });
    this.running.set(poll.pollId, { poll, lease, controller, done });
    this.metrics.inFlight.set(this.running.size);
  }

  private async renewLeases(): Promise<void> {
    const ids = [...this.running.keys()];
    const sentAt = performance.now();
    try {
      const lost = await this.schedules.renewLeases(ids, this.owner, this.env.POLLER_LEASE_SECONDS);
      const lostIds = new Set(lost);
      for (const id of ids) if (!lostIds.has(id)) this.running.get(id)?.lease.renewed(sentAt);
      for (const pollId of lost) {
        // Not renewed: it finished meanwhile (gone from the map), or someone else holds the row now (a
        // takeover after an expired lease, a deleted instance): stop reading, publish no more.
        const entry = this.running.get(pollId);
        if (entry === undefined) continue;
        this.logger.warn({ correlationId: pollId }, 'lease lost; aborting the poll');
        entry.controller.abort(new Error('lease lost'));
      }
    } catch (error) {
      this.logger.error({ err: error }, 'renewing leases failed');
    }
    try {
      const runIds = [...this.reconciling.keys()];
      const lost = await this.reconciliations.renewLeases(runIds, this.env.POLLER_LEASE_SECONDS);
      for (const runId of lost) {
        const entry = this.reconciling.get(runId);
        if (entry === undefined) continue;
        this.logger.warn({ correlationId: runId }, 'reconciliation lease lost; aborting it');
        entry.controller.abort(new Error('lease lost'));
      }
    } catch (error) {
      this.logger.error({ err: error }, 'renewing reconciliation leases failed');
    }
  }

  /** Stop claiming; let polls in flight finish for POLLER_SHUTDOWN_GRACE_MS; abort the rest (their
   * watermark stays, their lease is released so another replica takes them over at once). Runs before
   * the database and Kafka close. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake?.();
    await this.loop;
    // A reconciliation is only worth finishing if it is quick; it is redone whole anyway.
    for (const entry of this.reconciling.values()) entry.controller.abort(new Error('shutting down'));
    const pending = [...this.running.values(), ...this.reconciling.values()];
    this.logger.info({ inFlight: pending.length }, 'scheduler stopping; waiting for polls in flight');
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), this.env.POLLER_SHUTDOWN_GRACE_MS);
    });
    const outcome = await Promise.race([
      Promise.all(pending.map((entry) => entry.done)).then(() => 'done' as const),
      graceOver,
    ]);
    clearTimeout(graceTimer);
    if (outcome === 'timeout') {
      const left = [...this.running.values()];
      this.logger.warn({ abandoning: left.length }, 'shutdown grace over; abandoning polls in flight');
      for (const entry of left) entry.controller.abort(new Error('shutting down'));
      await Promise.all(left.map((entry) => entry.done));
    }
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.logger.info('scheduler stopped');
  }
}
