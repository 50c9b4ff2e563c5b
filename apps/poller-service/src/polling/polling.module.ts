import { Module } from '@nestjs/common';
import { SERVICE_ENV } from '@pollcast/service-kit';
import type { Env } from '../env';
import { ScheduleModule } from '../schedule/schedule.module';
import { AccessTokenCache } from './access-token.cache';
import { PollerMetrics } from './poller.metrics';
import { PollResource } from './poll-resource.use-case';
import { ProviderClient } from './provider.client';
import { InstanceRateLimiter } from './rate-limiter';
import { RawChangePublisher } from './raw-change.publisher';
import { RunDuePolls } from './run-due-polls.use-case';
import { ReconcileResource } from '../reconciliation/reconcile-resource.use-case';

/** Claiming due polls and reconciliations and running them. */
@Module({
  imports: [ScheduleModule],
  providers: [
    AccessTokenCache,
    PollerMetrics,
    ProviderClient,
    {
      // One bucket per instance for everything this replica asks a provider: polls and reconciliations.
      provide: InstanceRateLimiter,
      inject: [SERVICE_ENV],
      useFactory: (env: Env) => {
        const limiter = new InstanceRateLimiter(
          env.POLLER_RATE_LIMIT_PER_SECOND,
          env.POLLER_RATE_LIMIT_BURST,
        );
        setInterval(() => limiter.prune(), 60_000).unref();
        return limiter;
      },
    },
    RawChangePublisher,
    PollResource,
    ReconcileResource,
    RunDuePolls,
  ],
  exports: [RunDuePolls],
})
export class PollingModule {}
