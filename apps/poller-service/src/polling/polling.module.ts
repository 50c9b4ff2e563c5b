import { Module } from '@nestjs/common';
import { ScheduleModule } from '../schedule/schedule.module';
import { AccessTokenCache } from './access-token.cache';
import { PollerMetrics } from './poller.metrics';
import { PollResource } from './poll-resource.use-case';
import { ProviderClient } from './provider.client';
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
    RawChangePublisher,
    PollResource,
    ReconcileResource,
    RunDuePolls,
  ],
  exports: [RunDuePolls],
})
export class PollingModule {}
