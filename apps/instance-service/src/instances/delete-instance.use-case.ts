import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ROOT_LOGGER } from '@pollcast/service-kit';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Principal } from '../tenants/principal';
import { Authenticate } from '../tenants/authenticate.use-case';
import { InstanceRecords } from './instance-records';
import { instanceStore } from './instance.store';

/** DELETE /instances/{id}: the row goes, a tombstone is published, its Element token stops working. */
@Injectable()
export class DeleteInstance {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(InstanceRecords) private readonly records: InstanceRecords,
    @Inject(Authenticate) private readonly authenticate: Authenticate,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async execute(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const record = await this.records.find(manager, principal, id, true);
      await instanceStore.delete(manager, record.id);
      await this.records.publishTombstone(manager, record.id);
    });
    this.authenticate.forgetInstance(id);
    this.records.afterCommit(id);
    this.logger.info({ instanceId: id, organizationId: principal.organizationId }, 'instance deleted');
  }
}
