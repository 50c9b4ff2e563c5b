import { Module } from '@nestjs/common';
import { ApplyInstanceSnapshot } from './apply-instance-snapshot.usecase';
import { InstancesConsumer } from './instances.consumer';
import { ScheduleRepository } from './schedule.repository';

/** The schedule table and what keeps it in line with the instance snapshots. */
@Module({
  providers: [ScheduleRepository, ApplyInstanceSnapshot, InstancesConsumer],
  exports: [ScheduleRepository],
})
export class ScheduleModule {}
