import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '../tenants/principal';
import type { InstanceResponse } from './instance-mapper';
import { InstanceRecords } from './instance-records';

/** GET /instances/{id}: one instance of the caller's organization (404 for anyone else's). */
@Injectable()
export class ReadInstance {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(InstanceRecords) private readonly records: InstanceRecords,
  ) {}

  async execute(principal: Principal, id: string): Promise<InstanceResponse> {
    return this.records.respond(await this.records.read(this.dataSource.manager, principal, id));
  }
}
