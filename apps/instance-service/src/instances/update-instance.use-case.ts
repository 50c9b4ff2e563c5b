import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../tenants/principal';
import { InstanceBodyParser } from './instance-body';
import type { InstanceResponse } from './instance-mapper';
import { InstanceUpdater } from './instance-updater';

/** PUT /instances/{id} (configuration replaced whole) and PATCH (keys merged): the body against what is stored. */
@Injectable()
export class UpdateInstance {
  constructor(
    @Inject(InstanceBodyParser) private readonly bodies: InstanceBodyParser,
    @Inject(InstanceUpdater) private readonly updater: InstanceUpdater,
  ) {}

  async execute(
    principal: Principal,
    id: string,
    mode: 'replace' | 'patch',
    body: unknown,
  ): Promise<InstanceResponse> {
    this.bodies.refuseUnstorableText(body);
    return this.updater.apply(principal, id, (current) => this.bodies.parse(body, mode, current));
  }
}
