import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@pollcast/service-kit';
import type { Principal } from '@pollcast/tenant-auth';
import { ReconciliationStore } from '../reconciliation/reconciliation.store';
import { ScheduleStore } from '../schedule/schedule.store';
import type { PollNowBody } from './poller-api.schemas';
import { findVisibleInstance, resourceNotPolled } from './visible-instance';

/** POST /instances/{id}/polls: every resource of the instance (or the one named) is due at once; with
 * `reconcile: true`, its reconciliation (deletion detection) instead of its poll. */
@Injectable()
export class RequestPoll {
  constructor(
    @Inject(ScheduleStore) private readonly schedules: ScheduleStore,
    @Inject(ReconciliationStore) private readonly reconciliations: ReconciliationStore,
  ) {}

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
    if (parsed?.reconcile === true) {
      const reconciling = await this.reconciliations.request(instanceId, parsed.resource);
      if (reconciling === 0) {
        const which =
          parsed.resource === undefined ? 'no resource of this instance' : `resource ${parsed.resource}`;
        throw new DomainError(
          ErrorCode.VALIDATION_FAILED,
          `Instance ${instanceId}: ${which} reconciles deletions`,
          400,
          {},
          [
            {
              path: 'reconcile',
              message:
                'needs a polled resource whose deletions.mode is "reconcile" in event.poller.configuration',
            },
          ],
        );
      }
      return { requested: reconciling };
    }
    const requested = await this.schedules.requestPoll(instanceId, parsed?.resource);
    if (requested === 0 && parsed?.resource !== undefined)
      throw resourceNotPolled(instanceId, parsed.resource);
    return { requested };
  }
}
