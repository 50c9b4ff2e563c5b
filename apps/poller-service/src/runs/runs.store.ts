import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { PollRunStatus } from '../database/poller.entities';

export interface PollRunView {
  id: string;
  instanceId: string;
  resource: string;
  elementKey: string;
  scheduledFor: Date;
  startedAt: Date;
  finishedAt: Date;
  windowFrom: Date;
  windowTo: Date;
  pages: number;
  records: number;
  status: PollRunStatus;
  errorKind: string | null;
  error: string | null;
  owner: string;
}

export interface RunsPageQuery {
  instanceId: string;
  resource?: string;
  status?: PollRunStatus;
  limit: number;
  /** Continue after this run (keyset on started_at, id: stable while new runs arrive). */
  after?: { startedAt: Date; id: string };
}

@Injectable()
export class RunsStore {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Newest first; one extra row tells whether another page follows. */
  async page(query: RunsPageQuery): Promise<{ runs: PollRunView[]; more: boolean }> {
    const found = await this.db.query<PollRunView[]>(
      `SELECT id, instance_id AS "instanceId", resource, element_key AS "elementKey",
              scheduled_for AS "scheduledFor", started_at AS "startedAt", finished_at AS "finishedAt",
              window_from AS "windowFrom", window_to AS "windowTo", pages, records, status,
              error_kind AS "errorKind", error, owner
         FROM poll_runs
        WHERE instance_id = $1
          AND ($2::text IS NULL OR resource = $2)
          AND ($3::text IS NULL OR status = $3)
          AND ($4::timestamptz IS NULL OR (started_at, id) < ($4::timestamptz, $5::uuid))
        ORDER BY started_at DESC, id DESC
        LIMIT $6`,
      [
        query.instanceId,
        query.resource ?? null,
        query.status ?? null,
        query.after?.startedAt ?? null,
        query.after?.id ?? null,
        query.limit + 1,
      ],
    );
    return { runs: found.slice(0, query.limit), more: found.length > query.limit };
  }

  /** Deletes runs that started before `before`, in slices so a large backlog never holds a long lock. */
  async prune(before: Date, sliceSize = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.db.query<unknown[]>(
        `WITH doomed AS (SELECT id FROM poll_runs WHERE started_at < $1 LIMIT $2),
              deleted AS (DELETE FROM poll_runs p USING doomed WHERE p.id = doomed.id RETURNING 1)
         SELECT 1 FROM deleted`,
        [before, sliceSize],
      );
      total += deleted.length;
      if (deleted.length < sliceSize) return total;
    }
  }
}
