import { Module } from '@nestjs/common';
import { ApplyInstanceSnapshot } from './apply-instance-snapshot.use-case';
import { InstancesConsumer } from './instances.consumer';
import { ScheduleStore } from './schedule.store';

/** The schedule table and what keeps it in line with the instance snapshots. */
@Module({
  controllers: [InstancesConsumer],
  providers: [ScheduleStore, ApplyInstanceSnapshot],
  exports: [ScheduleStore],
})
export class ScheduleModule {}
