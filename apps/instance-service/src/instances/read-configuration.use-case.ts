import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '../tenants/principal';
import { configurationEntries, type ConfigurationEntry } from './instance-mapper';
import { InstanceRecords } from './instance-records';

/** GET /instances/{id}/configuration: the configuration as entries, secrets masked. */
@Injectable()
export class ReadConfiguration {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(InstanceRecords) private readonly records: InstanceRecords,
  ) {}

  async execute(principal: Principal, id: string): Promise<ConfigurationEntry[]> {
    const record = await this.records.read(this.dataSource.manager, principal, id);
    return configurationEntries(record.publicConfig);
  }
}
