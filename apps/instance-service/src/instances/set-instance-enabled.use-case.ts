import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../tenants/principal';
import type { InstanceResponse } from './instance-mapper';
import { InstanceUpdater } from './instance-updater';

/** PUT / DELETE /instances/{id}/enabled: polling and delivery resume or stop. */
@Injectable()
export class SetInstanceEnabled {
  constructor(@Inject(InstanceUpdater) private readonly updater: InstanceUpdater) {}

  async execute(principal: Principal, id: string, enabled: boolean): Promise<InstanceResponse> {
    return this.updater.apply(principal, id, (current) => ({ ...current, disabled: !enabled }));
  }
}
