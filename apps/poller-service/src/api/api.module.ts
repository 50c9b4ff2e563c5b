import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { ScheduleModule } from '../schedule/schedule.module';
import { PollerApi } from './poller-api.service';
import { PollerController } from './poller.controller';

/** The tenant-facing HTTP API (authenticated by @pollcast/tenant-auth, registered in AppModule). */
@Module({ imports: [ScheduleModule, RunsModule], controllers: [PollerController], providers: [PollerApi] })
export class ApiModule {}
