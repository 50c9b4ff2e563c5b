import { Module } from '@nestjs/common';
import { ScheduleModule } from '../schedule/schedule.module';
import { AccessTokenCache } from './access-token.cache';
import { PollerMetrics } from './poller.metrics';
import { PollRunner } from './poll-runner';
import { ProviderGateway } from './provider-gateway';
import { RawChangePublisher } from './raw-change.publisher';
import { Scheduler } from './scheduler';

/** Claiming due polls and running them. */
@Module({
  imports: [ScheduleModule],
  providers: [AccessTokenCache, PollerMetrics, ProviderGateway, RawChangePublisher, PollRunner, Scheduler],
  exports: [Scheduler],
})
export class PollingModule {}
