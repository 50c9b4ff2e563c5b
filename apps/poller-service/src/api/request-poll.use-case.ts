import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@pollcast/service-kit';
import type { Principal } from '@pollcast/tenant-auth';
import { ScheduleStore } from '../schedule/schedule.store';
import type { PollNowBody } from './poller-api.schemas';
import { findVisibleInstance, resourceNotPolled } from './visible-instance';

/** POST /instances/{id}/polls: every resource of the instance (or the one named) is due at once. */
@Injectable()
export class RequestPoll {
  constructor(@Inject(ScheduleStore) private readonly schedules: ScheduleStore) {}

  async execute(
    principal: Principal,
    instanceId: string,
    parsed: PollNowBody,
  ): Promise<{ requested: number }> {
    const instance = await findVisibleInstance(this.schedules, principal, instanceId);
    if (!instance.active) {
      throw new DomainError(
        ErrorCode.NOT_POLLING,
        `Instance ${instanceId} is not polling (disabled or events off)`,
        409,
      );
    }
    const requested = await this.schedules.requestPoll(instanceId, parsed?.resource);
    if (requested === 0 && parsed?.resource !== undefined)
      throw resourceNotPolled(instanceId, parsed.resource);
    return { requested };
  }
}
