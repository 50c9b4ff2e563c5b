import { Module } from '@nestjs/common';
import { ApplyInstanceSnapshot } from './apply-instance-snapshot.use-case';
import { InstancesConsumer } from './instances.consumer';
import { ScheduleStore } from './schedule.store';

/** The schedule table and what keeps it in line with the instance snapshots. */
@Module({
  providers: [ScheduleStore, ApplyInstanceSnapshot, InstancesConsumer],
  exports: [ScheduleStore],
})
export class ScheduleModule {}
