import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '../tenants/principal';
import type { InstanceResponse } from './instance-mapper';
import { InstanceRecords } from './instance-records';
import { instanceStore } from './instance.store';

export const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 200;

export interface ListInstancesQuery {
  tags: string[];
  pageSize?: number;
  nextPage?: string;
}

/** GET /instances: the organization's instances by id, a page at a time (an Element token sees its own). */
@Injectable()
export class ListInstances {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(InstanceRecords) private readonly records: InstanceRecords,
  ) {}

  async execute(
    principal: Principal,
    query: ListInstancesQuery,
  ): Promise<{ instances: InstanceResponse[]; nextPage?: string }> {
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, query.pageSize ?? DEFAULT_PAGE_SIZE));
    const afterId =
      query.nextPage !== undefined && /^\d{1,18}$/.test(query.nextPage) ? query.nextPage : undefined;
    const records = await instanceStore.list(this.dataSource.manager, principal.organizationId, {
      tags: query.tags,
      afterId,
      limit: limit + 1,
      onlyId: principal.instanceId ?? undefined,
    });
    const page = records.slice(0, limit);
    const last = page[page.length - 1];
    return {
      instances: page.map((record) => this.records.respond(record)),
      ...(records.length > limit && last !== undefined ? { nextPage: last.id } : {}),
    };
  }
}
