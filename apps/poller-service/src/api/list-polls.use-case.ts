import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { instantSchema, pageTokenCodec } from '@pollcast/service-kit';
import type { Principal } from '@pollcast/tenant-auth';
import { RunsStore, type PollRunView } from '../runs/runs.store';
import { ScheduleStore } from '../schedule/schedule.store';
import type { PollRunResponse, PollsQuery } from './poller-api.schemas';
import { findVisibleInstance } from './visible-instance';

/** A page ends at (startedAt, id) of its last run. */
const pollsPage = pageTokenCodec(
  z.object({ startedAt: instantSchema.transform((iso) => new Date(iso)), id: z.uuid() }),
  {
    summary: 'Invalid query: nextPage: not a page token from this API',
    message: 'not a page token from this API',
  },
);

/** GET /instances/{id}/polls: the instance's poll runs, newest first, a page at a time. */
@Injectable()
export class ListPolls {
  constructor(
    @Inject(ScheduleStore) private readonly schedules: ScheduleStore,
    @Inject(RunsStore) private readonly runs: RunsStore,
  ) {}

  async execute(
    principal: Principal,
    instanceId: string,
    query: PollsQuery,
  ): Promise<{ polls: PollRunResponse[]; nextPage: string | undefined }> {
    // Input first (the query itself is checked by the controller's pipe): a bad page token is a 400
    // whether or not the instance exists.
    const after = query.nextPage === undefined ? undefined : pollsPage.decode(query.nextPage);
    await findVisibleInstance(this.schedules, principal, instanceId);
    const { runs, more } = await this.runs.page({
      instanceId,
      resource: query.resource,
      status: query.status,
      limit: query.pageSize,
      after,
    });
    const last = runs.at(-1);
    return {
      polls: runs.map(toRunResponse),
      nextPage:
        more && last ? pollsPage.encode({ startedAt: last.startedAt.toISOString(), id: last.id }) : undefined,
    };
  }
}

function toRunResponse(run: PollRunView): PollRunResponse {
  return {
    id: run.id,
    instanceId: run.instanceId,
    resource: run.resource,
    elementKey: run.elementKey,
    status: run.status,
    scheduledFor: run.scheduledFor.toISOString(),
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    window: { from: run.windowFrom.toISOString(), to: run.windowTo.toISOString() },
    pages: run.pages,
    records: run.records,
    error: run.error === null ? null : { kind: run.errorKind, message: run.error },
    owner: run.owner,
  };
}
