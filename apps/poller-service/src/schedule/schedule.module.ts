import { Module } from '@nestjs/common';
import { ApplyInstanceSnapshot } from './apply-instance-snapshot.use-case';
import { InstancesConsumer } from './instances.consumer';
import { ReconciliationStore } from '../reconciliation/reconciliation.store';
import { ScheduleStore } from './schedule.store';

/** The schedule table (with its reconciliation leases and known ids) and what keeps it in line with the
 * instance snapshots. */
@Module({
  controllers: [InstancesConsumer],
  providers: [ScheduleStore, ReconciliationStore, ApplyInstanceSnapshot],
  exports: [ScheduleStore, ReconciliationStore],
})
export class ScheduleModule {}
