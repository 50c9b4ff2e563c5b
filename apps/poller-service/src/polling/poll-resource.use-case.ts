import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { type HubRequestPlan, type HubResponse } from '@pollcast/elements';
import { ROOT_LOGGER, SERVICE_ENV } from '@pollcast/service-kit';
import { inSpan, markSpanFailed, ROOT_CONTEXT } from '@pollcast/telemetry';
import type { Env } from '../env';
import type { PollRunStatus } from '../database/poller.entities';
import { ReconciliationStore } from '../reconciliation/reconciliation.store';
import { ScheduleStore, type ClaimedPoll } from '../schedule/schedule.store';
import { failureDelayMs, pollWindow, type PollWindow } from '../schedule/timing';
import { AccessTokenCache } from './access-token.cache';
import { PollerMetrics } from './poller.metrics';
import { describeFailure, PollLimitError } from './poll-failure';
import { LeaseLostError, type PollLease } from './poll-lease';
import { ProviderClient } from './provider.client';
import { RawChangePublisher } from './raw-change.publisher';
import { InstanceRateLimiter } from './rate-limiter';
import { toRawChangeMessages } from './raw-change-messages';
import { fetchProviderPage } from './fetch-provider-page';
import { UnchangedRecords, type PollMemory } from './unchanged-records';

/** Who runs a poll, and what it knows of the poll's lease. */
export interface LeaseHolder {
  owner: string;
  lease: PollLease;
}

/**
 * One poll of one (instance, resource): render the window's URL, read every page through the element,
 * publish each page's records (acks=all), and only then move the watermark to the window end, in the
 * statement that records the run. Any failure leaves the watermark where it was, so the next poll
 * re-reads the window: records may be published twice, never lost.
 */
@Injectable()
export class PollResource {
  private readonly unchanged: UnchangedRecords;
  private readonly logger: Logger;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: Env,
    @Inject(ROOT_LOGGER) logger: Logger,
    @Inject(RawChangePublisher) private readonly publisher: RawChangePublisher,
    @Inject(ScheduleStore) private readonly schedules: ScheduleStore,
    @Inject(AccessTokenCache) private readonly tokens: AccessTokenCache,
    @Inject(ProviderClient) private readonly providers: ProviderClient,
    @Inject(PollerMetrics) private readonly metrics: PollerMetrics,
    @Inject(ReconciliationStore) private readonly reconciliations: ReconciliationStore,
    @Inject(InstanceRateLimiter) private readonly limiter: InstanceRateLimiter,
  ) {
    this.unchanged = new UnchangedRecords(env.POLLER_UNCHANGED_MEMORY_RECORDS);
    this.logger = logger.child({ component: 'poll' });
  }

  /** Runs the poll; `signal` aborts it (shutdown): then nothing advances and the lease is released.
   * Each poll is the root span of its own trace, which its raw changes, events and callbacks continue. */
  execute(poll: ClaimedPoll, holder: LeaseHolder, signal: AbortSignal): Promise<PollRunStatus> {
    const attributes = {
      'pollcast.poll_id': poll.pollId,
      'pollcast.instance_id': poll.instanceId,
      'pollcast.element': poll.elementKey,
      'pollcast.resource': poll.resource,
    };
    return inSpan('poll', { parent: ROOT_CONTEXT, attributes }, async (span) => {
      const status = await this.runPoll(poll, holder, signal);
      span.setAttribute('pollcast.poll_status', status);
      if (status === 'failed') markSpanFailed(span, 'poll failed; watermark unchanged');
      return status;
    });
  }

  private async runPoll(poll: ClaimedPoll, holder: LeaseHolder, signal: AbortSignal): Promise<PollRunStatus> {
    const { owner } = holder;
    const startedAt = new Date();
    const window = pollWindow(
      poll.watermark,
      startedAt,
      poll.config.pollDelay,
      this.env.POLLER_OVERLAP_SECONDS,
    );
    const labels = { element: poll.elementKey, resource: poll.resource };
    const log = this.logger.child({
      correlationId: poll.pollId,
      instanceId: poll.instanceId,
      resource: poll.resource,
    });
    this.metrics.pollsStarted.inc(labels);
    this.metrics.scheduleLag.observe(
      { element: poll.elementKey },
      Math.max(0, poll.claimedAt.getTime() - poll.scheduledFor.getTime()) / 1000,
    );
    const progress = { pages: 0, records: 0 };
    const base = { poll, startedAt, window, owner };
    const memory = this.unchanged.begin(poll);
    try {
      await this.readAndPublish(poll, holder, window, progress, memory, signal, log);
    } catch (error) {
      memory.finish(false);
      if (signal.aborted || error instanceof LeaseLostError) {
        const status = await this.schedules.finish({ ...base, ...progress, status: 'abandoned' });
        this.metrics.pollsAbandoned.inc(labels);
        log.warn(
          { pages: progress.pages, records: progress.records, status },
          'poll abandoned; watermark unchanged',
        );
        return status;
      }
      const failure = describeFailure(error);
      const failures = poll.consecutiveFailures + 1;
      const backoff = {
        baseMs: this.env.POLLER_FAILURE_BACKOFF_BASE_SECONDS * 1000,
        maxMs: this.env.POLLER_FAILURE_BACKOFF_MAX_SECONDS * 1000,
      };
      // Permanent failures (bad configuration, refused credentials) wait the capped delay straight away.
      const retryInMs = failureDelayMs(failure.permanent ? Number.MAX_SAFE_INTEGER : failures, {
        ...backoff,
        retryAfterMs: failure.retryAfterMs,
      });
      const status = await this.schedules.finish({
        ...base,
        ...progress,
        status: 'failed',
        error: failure,
        retryInMs,
        errorAfterFailures: this.env.POLLER_ERROR_AFTER_FAILURES,
      });
      this.metrics.pollsFailed.inc({ ...labels, kind: failure.kind });
      this.observeDuration(poll, labels, 'failed');
      log.warn(
        {
          errorKind: failure.kind,
          error: failure.message,
          failures,
          retryInMs,
          pages: progress.pages,
          status,
        },
        'poll failed; watermark unchanged',
      );
      return status;
    }
    const status = await this.schedules.finish({ ...base, ...progress, status: 'succeeded' });
    memory.finish(status === 'succeeded');
    if (status === 'succeeded') {
      this.metrics.pollsSucceeded.inc(labels);
    } else {
      this.metrics.pollsAbandoned.inc(labels);
      log.warn('poll finished after its lease was taken over; the other poll owns the watermark');
    }
    this.observeDuration(poll, labels, status);
    log.debug(
      { pages: progress.pages, records: progress.records, windowFrom: window.from, windowTo: window.to },
      'poll succeeded',
    );
    return status;
  }

  private observeDuration(
    poll: ClaimedPoll,
    labels: { element: string; resource: string },
    status: string,
  ): void {
    this.metrics.pollDuration.observe({ ...labels, status }, (Date.now() - poll.claimedAt.getTime()) / 1000);
  }

  private async readAndPublish(
    poll: ClaimedPoll,
    holder: LeaseHolder,
    window: PollWindow,
    progress: { pages: number; records: number },
    memory: PollMemory,
    signal: AbortSignal,
    log: Logger,
  ): Promise<void> {
    const request = this.planRequest(poll, window);
    let pageToken: string | undefined;
    do {
      signal.throwIfAborted(); // between pages only: a fully published window is always committed
      if (progress.pages >= this.env.POLLER_MAX_PAGES_PER_POLL) {
        throw new PollLimitError(`more than ${this.env.POLLER_MAX_PAGES_PER_POLL} pages in one window`);
      }
      const page = await this.fetchPage(poll, request, pageToken, signal);
      if (page.warnings.length > 0)
        log.warn({ warnings: page.warnings, page: progress.pages }, 'provider request warnings');
      const { messages, objectIds, sanitized, withoutId, afterWindow } = toRawChangeMessages(
        poll,
        window,
        page.records,
        progress.pages,
      );
      if (sanitized > 0) {
        this.metrics.recordsSanitized.inc({ element: poll.elementKey, resource: poll.resource }, sanitized);
        log.info(
          { records: sanitized, page: progress.pages },
          'records with U+0000 or lone surrogates: those characters replaced by U+FFFD',
        );
      }
      if (withoutId > 0) {
        log.warn(
          { idField: poll.config.idField, records: withoutId, page: progress.pages },
          'records without a usable id skipped',
        );
      }
      if (afterWindow > 0)
        log.debug({ records: afterWindow }, 'records changed after the window end left for the next poll');
      const { publish, fingerprints, unchanged } = memory.select(messages, objectIds);
      await this.confirmLease(poll, holder);
      await this.publisher.publish(publish);
      memory.remember(fingerprints);
      if (poll.config.deletions?.mode === 'reconcile') {
        // Read ids are known to exist (after the publish: a crash before it re-reads the window).
        await this.reconciliations.recordPublished(poll.instanceId, poll.resource, objectIds);
      }
      const labels = { element: poll.elementKey, resource: poll.resource };
      this.metrics.recordsPublished.inc(labels, publish.length);
      if (unchanged > 0) this.metrics.recordsUnchanged.inc(labels, unchanged);
      progress.pages += 1;
      progress.records += publish.length;
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
  }

  /**
   * Fencing before each publish: a replica that was paused past its lease (SIGSTOP, a long GC) asks the
   * database whether the poll is still its own, extending the lease if so, before it publishes anything
   * more. Kafka has no conditional append, so this narrows the window rather than closing it: a pause
   * between this check and the broker's append can still publish one page of a poll another replica took
   * over — the same records under the same stable ids, which the normalizer and the dispatcher absorb.
   */
  private async confirmLease(poll: ClaimedPoll, holder: LeaseHolder): Promise<void> {
    if (holder.lease.surelyHeld()) return;
    const sentAt = performance.now();
    const lost = await this.schedules.renewLeases([poll.pollId], holder.owner, this.env.POLLER_LEASE_SECONDS);
    if (lost.length > 0) throw new LeaseLostError(poll.pollId);
    holder.lease.renewed(sentAt);
  }

  /**
   * The provider request of this poll: the `${date:…}` template rendered for the window once, and the
   * element's plan (parsed URL, translated query) made once and reused for every page. The plan is made
   * when the first page asks for it — after the rate limiter and the access token, where a bad URL has
   * always failed the poll.
   */
  private planRequest(poll: ClaimedPoll, window: PollWindow): () => HubRequestPlan {
    const url = this.providers.renderUrl(poll.config.url, window.from);
    let plan: HubRequestPlan | undefined;
    return () =>
      (plan ??= this.providers
        .adapter(poll.elementKey)
        .planHubRequest({ url, pageSize: poll.config.pageSize }));
  }

  /** One page, with the instance's rate limit and the shared retries (fetchProviderPage). */
  private fetchPage(
    poll: ClaimedPoll,
    plan: () => HubRequestPlan,
    pageToken: string | undefined,
    signal: AbortSignal,
  ): Promise<HubResponse> {
    return fetchProviderPage({
      adapter: this.providers.adapter(poll.elementKey),
      configuration: poll.elementConfig,
      plan,
      pageToken,
      tokens: (request) => this.tokens.get(poll.instanceId, request, signal),
      settings: this.env,
      signal,
      beforeAttempt: () => this.limiter.acquire(poll.instanceId, signal),
      onRetry: (kind) => this.metrics.providerRetries.inc({ element: poll.elementKey, kind }),
    });
  }
}
