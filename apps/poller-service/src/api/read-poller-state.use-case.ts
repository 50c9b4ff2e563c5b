import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@pollcast/tenant-auth';
import { ScheduleStore } from '../schedule/schedule.store';
import type { ResourceStateView } from './poller-api.schemas';
import { findVisibleInstance, toStateView } from './visible-instance';

/** GET /instances/{id}/poller: whether the instance polls, and each resource's schedule state. */
@Injectable()
export class ReadPollerState {
  constructor(@Inject(ScheduleStore) private readonly schedules: ScheduleStore) {}

  async execute(
    principal: Principal,
    instanceId: string,
  ): Promise<{ instanceId: string; active: boolean; resources: ResourceStateView[] }> {
    const instance = await findVisibleInstance(this.schedules, principal, instanceId);
    const schedules = await this.schedules.listSchedules(instanceId);
    return { instanceId, active: instance.active, resources: schedules.map(toStateView) };
  }
}
