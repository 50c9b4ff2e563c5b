import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { type HubRequestPlan, type HubResponse } from '@pollcast/elements';
import { ROOT_LOGGER, SERVICE_ENV } from '@pollcast/service-kit';
import { inSpan, markSpanFailed, ROOT_CONTEXT } from '@pollcast/telemetry';
import { intervalUnitSeconds, type Env } from '../env';
import { AccessTokenCache } from '../polling/access-token.cache';
import { describeFailure, PollLimitError } from '../polling/poll-failure';
import { PollerMetrics } from '../polling/poller.metrics';
import { ProviderClient } from '../polling/provider.client';
import { InstanceRateLimiter } from '../polling/rate-limiter';
import { RawChangePublisher } from '../polling/raw-change.publisher';
import { fetchProviderPage } from '../polling/fetch-provider-page';
import { objectIdOf } from '../polling/record-fields';
import { deletionMessages } from './deletion-messages';
import {
  ReconciliationStore,
  type ClaimedReconciliation,
  type LastReconciliation,
} from './reconciliation.store';

/** Deletions are read back from PostgreSQL and published this many at a time. */
const DELETIONS_PAGE = 1000;

export type ReconciliationStatus = 'succeeded' | 'failed' | 'abandoned' | 'superseded';

/**
 * One reconciliation of one (instance, resource): list every id (only the id field, all pages), marking
 * each listed id in `known_objects`; only when the listing is complete, read the known ids it did not
 * mark a page at a time, publish each page as deletion raw changes (keyed like the object's other
 * changes, so they follow them in its partition) and forget them. A listing that fails, times out or is
 * cut short by a restart publishes nothing; a run cut short while publishing is redone whole by the next
 * run, whose repeated deletions the normalizer's tombstones turn into nothing.
 */
@Injectable()
export class ReconcileResource {
  private readonly logger: Logger;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: Env,
    @Inject(ROOT_LOGGER) logger: Logger,
    @Inject(RawChangePublisher) private readonly publisher: RawChangePublisher,
    @Inject(ReconciliationStore) private readonly store: ReconciliationStore,
    @Inject(AccessTokenCache) private readonly tokens: AccessTokenCache,
    @Inject(ProviderClient) private readonly providers: ProviderClient,
    @Inject(PollerMetrics) private readonly metrics: PollerMetrics,
    @Inject(InstanceRateLimiter) private readonly limiter: InstanceRateLimiter,
  ) {
    this.logger = logger.child({ component: 'reconcile' });
  }

  execute(run: ClaimedReconciliation, signal: AbortSignal): Promise<ReconciliationStatus> {
    const attributes = {
      'pollcast.reconciliation_id': run.runId,
      'pollcast.instance_id': run.instanceId,
      'pollcast.element': run.elementKey,
      'pollcast.resource': run.resource,
    };
    return inSpan('reconcile', { parent: ROOT_CONTEXT, attributes }, async (span) => {
      const status = await this.run(run, signal);
      span.setAttribute('pollcast.reconciliation_status', status);
      if (status === 'failed') markSpanFailed(span, 'reconciliation failed; nothing deleted');
      return status;
    });
  }

  private async run(run: ClaimedReconciliation, signal: AbortSignal): Promise<ReconciliationStatus> {
    const log = this.logger.child({
      correlationId: run.runId,
      instanceId: run.instanceId,
      resource: run.resource,
    });
    const began = Date.now();
    const progress = { idsListed: 0, deletionsFound: 0 };
    const intervalMinutes =
      run.config.deletions?.mode === 'reconcile' ? run.config.deletions.intervalMinutes : 1440;
    const intervalSeconds = intervalMinutes * intervalUnitSeconds(this.env);
    const outcome = (status: 'succeeded' | 'failed', error?: string): LastReconciliation => ({
      runId: run.runId,
      status,
      startedAt: new Date(run.startedAt).toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - began,
      ...progress,
      ...(error === undefined ? {} : { error }),
    });
    try {
      await this.list(run, progress, signal);
      await this.publishDeletions(run, progress, signal);
    } catch (error) {
      if (signal.aborted) {
        await this.store.release(run);
        log.warn(progress, 'reconciliation abandoned; it runs again from the start');
        return 'abandoned';
      }
      const failure = describeFailure(error);
      const retryInSeconds = Math.min(intervalSeconds, this.env.POLLER_FAILURE_BACKOFF_MAX_SECONDS);
      const kept = await this.store.finish(
        run,
        outcome('failed', failure.message),
        intervalSeconds,
        retryInSeconds,
      );
      this.metrics.reconciliations.inc({ element: run.elementKey, status: 'failed' });
      log.warn(
        { ...progress, errorKind: failure.kind, error: failure.message, retryInSeconds },
        progress.deletionsFound === 0
          ? 'reconciliation failed; nothing deleted'
          : 'reconciliation failed while publishing deletions; the next run redoes it',
      );
      return kept ? 'failed' : 'superseded';
    }
    const kept = await this.store.finish(run, outcome('succeeded'), intervalSeconds, 0);
    this.metrics.reconciliations.inc({ element: run.elementKey, status: kept ? 'succeeded' : 'superseded' });
    log.info({ ...progress, durationMs: Date.now() - began }, 'reconciliation succeeded');
    return kept ? 'succeeded' : 'superseded';
  }

  /** Every page of ids into `known_objects`, marked with this run. The next page is read while the
   * current one is written (one provider request and one statement in flight, never more), so a listing
   * costs max(read, write) a page rather than their sum. */
  private async list(
    run: ClaimedReconciliation,
    progress: { idsListed: number },
    signal: AbortSignal,
  ): Promise<void> {
    const url = this.providers.renderUrl(run.config.url, new Date(run.startedAt));
    const adapter = this.providers.adapter(run.elementKey);
    // instance-service refuses `reconcile` for such an element; a definition changed since still fails
    // here, as a failed run that deletes nothing.
    if (adapter.planIdListing === undefined)
      throw new Error(`${adapter.name} cannot list every id of a resource`);
    const plan = adapter.planIdListing({ url });
    let page: HubResponse | undefined = await this.fetchPage(run, plan, undefined, signal);
    let pages = 0;
    while (page !== undefined) {
      signal.throwIfAborted();
      pages += 1;
      const token: string | undefined = page.nextPageToken;
      const overLimit: boolean = token !== undefined && pages >= this.env.POLLER_MAX_PAGES_PER_RECONCILIATION;
      const next: Promise<HubResponse> | undefined =
        token === undefined || overLimit ? undefined : this.fetchPage(run, plan, token, signal);
      // Observed here so a failed write does not leave the read's rejection unhandled.
      next?.catch(() => undefined);
      const ids: string[] = [];
      for (const record of page.records) {
        const id = objectIdOf(record, run.config.idField);
        if (id !== undefined) ids.push(id);
      }
      // A record without a usable id was never published, so it cannot be known either.
      await this.store.recordListedPage(run, ids);
      progress.idsListed += ids.length;
      if (overLimit) {
        throw new PollLimitError(`more than ${this.env.POLLER_MAX_PAGES_PER_RECONCILIATION} pages of ids`);
      }
      page = await next;
    }
  }

  private async publishDeletions(
    run: ClaimedReconciliation,
    progress: { deletionsFound: number },
    signal: AbortSignal,
  ): Promise<void> {
    let after: string | null = null;
    for (;;) {
      signal.throwIfAborted(); // a lost lease stops here: the new owner redoes the run
      const ids = await this.store.nextDeletions(run, after, DELETIONS_PAGE);
      if (ids.length === 0) return;
      await this.publisher.publish(deletionMessages(run, ids, new Date()));
      await this.store.forget(run, ids);
      this.metrics.deletionsPublished.inc({ element: run.elementKey, resource: run.resource }, ids.length);
      progress.deletionsFound += ids.length;
      after = ids[ids.length - 1] ?? null;
    }
  }

  /** One page of ids, with a fresh token on 401 and the poll's retries (fetchProviderPage), each attempt
   * after a token of the instance's rate limit, which its polls share. */
  private fetchPage(
    run: ClaimedReconciliation,
    plan: HubRequestPlan,
    pageToken: string | undefined,
    signal: AbortSignal,
  ): Promise<HubResponse> {
    return fetchProviderPage({
      adapter: this.providers.adapter(run.elementKey),
      configuration: run.elementConfig,
      plan: () => plan,
      pageToken,
      tokens: (request) => this.tokens.get(run.instanceId, request, signal),
      settings: this.env,
      beforeAttempt: () => this.limiter.acquire(run.instanceId, signal),
      signal,
    });
  }
}
