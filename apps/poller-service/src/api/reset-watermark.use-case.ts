import { Inject, Injectable } from '@nestjs/common';
import { RequestValidationError } from '@pollcast/service-kit';
import type { Principal } from '@pollcast/tenant-auth';
import { ScheduleStore } from '../schedule/schedule.store';
import type { ResourceStateView, WatermarkBody } from './poller-api.schemas';
import { findVisibleInstance, resourceNotPolled, toStateView } from './visible-instance';

/** PUT /instances/{id}/poller/{resource}/watermark: the next window starts there (backfill or skip). */
@Injectable()
export class ResetWatermark {
  constructor(@Inject(ScheduleStore) private readonly schedules: ScheduleStore) {}

  async execute(
    principal: Principal,
    instanceId: string,
    resource: string,
    { watermark }: WatermarkBody,
  ): Promise<ResourceStateView> {
    await findVisibleInstance(this.schedules, principal, instanceId);
    const at = new Date(watermark);
    if (at.getTime() > Date.now()) {
      throw new RequestValidationError('Invalid body: watermark: must not be in the future', [
        { path: 'watermark', message: 'must not be in the future' },
      ]);
    }
    if (!(await this.schedules.resetWatermark(instanceId, resource, at))) {
      throw resourceNotPolled(instanceId, resource);
    }
    const view = (await this.schedules.listSchedules(instanceId)).find(
      (schedule) => schedule.resource === resource,
    );
    if (!view) throw resourceNotPolled(instanceId, resource);
    return toStateView(view);
  }
}
