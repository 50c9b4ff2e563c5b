import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { ScheduleModule } from '../schedule/schedule.module';
import { ListPolls } from './list-polls.use-case';
import { PollerController } from './poller.controller';
import { ReadPollerState } from './read-poller-state.use-case';
import { RequestPoll } from './request-poll.use-case';
import { ResetWatermark } from './reset-watermark.use-case';

/** The tenant-facing HTTP API (authenticated by @pollcast/tenant-auth, registered in AppModule). */
@Module({
  imports: [ScheduleModule, RunsModule],
  controllers: [PollerController],
  providers: [ListPolls, ReadPollerState, RequestPoll, ResetWatermark],
})
export class ApiModule {}
