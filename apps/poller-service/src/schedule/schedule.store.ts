import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ResourcePoller } from '@pollcast/contracts';
import type { PollRunStatus } from '../database/poller.entities';
import type { LastReconciliation } from '../reconciliation/reconciliation.store';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

/** Typed rows from raw SQL (pg returns timestamptz as Date, jsonb parsed, integers as numbers). Only
 * for statements whose top level is a SELECT or INSERT: TypeORM answers a top-level UPDATE / DELETE with
 * `[rows, rowCount]`, so those are wrapped in a CTE. */
async function rows<T>(db: Queryable, sql: string, parameters: unknown[] = []): Promise<T[]> {
  return db.query<T[]>(sql, parameters);
}

/** The instance data a poll needs, as the snapshot consumer stores it. */
export interface InstanceRecord {
  id: string;
  organizationId: string;
  elementKey: string;
  elementConfig: Record<string, string>;
  active: boolean;
  version: number;
  instanceCreatedAt: Date;
  updatedAt: Date;
}

export interface ScheduleUpsert {
  resource: string;
  config: ResourcePoller;
  /** Delay of the first poll of a new (or re-enabled) resource, spreading start times; the first
   * reconciliation of a resource whose deletions turn `reconcile` waits as long. */
  startJitterMs: number;
  /** Seconds between reconciliations; null = deletions are not reconciled. */
  reconcileIntervalSeconds: number | null;
}

export interface SnapshotWrite {
  instance: Omit<InstanceRecord, 'updatedAt'>;
  intervalSeconds: number;
  resources: ScheduleUpsert[];
  /** Seconds per configured minute (POLLER_INTERVAL_UNIT): reconcile intervals are scaled by it. */
  reconcileUnitSeconds: number;
  /** Watermark for resources new to this instance, given whether the instance itself is new. */
  firstWatermark(instanceIsNew: boolean): Date;
}

/** A due (instance, resource) this replica now holds a lease on. */
export interface ClaimedPoll {
  pollId: string;
  instanceId: string;
  resource: string;
  organizationId: string;
  elementKey: string;
  elementConfig: Record<string, string>;
  config: ResourcePoller;
  intervalSeconds: number;
  watermark: Date;
  scheduledFor: Date;
  claimedAt: Date;
  consecutiveFailures: number;
}

export interface ScheduleView {
  instanceId: string;
  resource: string;
  active: boolean;
  intervalSeconds: number;
  nextDueAt: Date;
  watermark: Date;
  state: 'ok' | 'failing' | 'error';
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastSuccessAt: Date | null;
  pollRequested: boolean;
  currentPollId: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  createdAt: Date;
  reconcileNextDueAt: Date | null;
  reconcileRequested: boolean;
  reconcileRunId: string | null;
  reconcileLeaseExpiresAt: Date | null;
  /** `LastReconciliation` of reconciliation.store.ts. */
  lastReconciliation: LastReconciliation | null;
}

export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'abandoned';
  poll: ClaimedPoll;
  startedAt: Date;
  window: { from: Date; to: Date };
  pages: number;
  records: number;
  owner: string;
  error?: { kind: string; message: string; permanent: boolean };
  /** Failed polls: when to try again (ms from now). */
  retryInMs?: number;
  errorAfterFailures?: number;
}

const INSERT_RUN = `
  INSERT INTO poll_runs (id, instance_id, resource, element_key, scheduled_for, started_at, finished_at,
                         window_from, window_to, pages, records, status, error_kind, error, owner)
  VALUES ($1, $2, $3, $4, $5, $6, now(), $7, $8, $9, $10,
          CASE WHEN EXISTS (SELECT 1 FROM updated) THEN $11 ELSE 'superseded' END, $12, $13, $14)
  RETURNING status`;

/** Every SQL statement on `instances` and `schedules`: snapshots, claims, leases, completions. */
@Injectable()
export class ScheduleStore {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Writes a snapshot unless a newer (or the same) version is stored; returns whether it applied. */
  async applySnapshot(write: SnapshotWrite): Promise<boolean> {
    const { instance } = write;
    return this.db.transaction(async (manager) => {
      const [upserted] = await rows<{ inserted: boolean }>(
        manager,
        `INSERT INTO instances AS i (id, organization_id, element_key, element_config, active, version,
                                     instance_created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now())
         ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id,
           element_key = excluded.element_key, element_config = excluded.element_config,
           active = excluded.active, version = excluded.version,
           instance_created_at = excluded.instance_created_at, updated_at = now()
         WHERE i.version < excluded.version
         RETURNING (xmax = 0) AS inserted`,
        [
          instance.id,
          instance.organizationId,
          instance.elementKey,
          JSON.stringify(instance.elementConfig),
          instance.active,
          instance.version,
          instance.instanceCreatedAt,
        ],
      );
      if (upserted === undefined) return false;
      const resources = write.resources.map((entry) => ({
        resource: entry.resource,
        config: entry.config,
        jitter_ms: entry.startJitterMs,
        reconcile_seconds: entry.reconcileIntervalSeconds,
      }));
      // A row a poll holds keeps its claim time; a re-enabled row is due soon; a shortened interval
      // brings the next poll forward.
      await manager.query(
        `INSERT INTO schedules AS s (instance_id, resource, config, interval_seconds, active, next_due_at, watermark,
                                     reconcile_next_due_at)
         SELECT $1, r.resource, r.config, $2, $3, now() + r.jitter_ms * interval '1 millisecond', $4,
                CASE WHEN r.reconcile_seconds IS NOT NULL THEN now() + r.jitter_ms * interval '1 millisecond' END
           FROM jsonb_to_recordset($5::jsonb)
                AS r(resource text, config jsonb, jitter_ms double precision, reconcile_seconds double precision)
         ON CONFLICT (instance_id, resource) DO UPDATE SET
           config = excluded.config, interval_seconds = excluded.interval_seconds, active = excluded.active,
           next_due_at = CASE
             WHEN s.current_poll_id IS NOT NULL THEN s.next_due_at
             WHEN excluded.active AND NOT s.active THEN excluded.next_due_at
             ELSE LEAST(s.next_due_at, now() + make_interval(secs => excluded.interval_seconds)) END,
           -- Reconciliation turned on: due soon; off: NULL; a shorter interval brings the next one forward.
           reconcile_next_due_at = CASE
             WHEN excluded.reconcile_next_due_at IS NULL THEN NULL
             WHEN s.reconcile_run_id IS NOT NULL THEN s.reconcile_next_due_at
             WHEN s.reconcile_next_due_at IS NULL THEN excluded.reconcile_next_due_at
             ELSE LEAST(s.reconcile_next_due_at, now() + make_interval(secs =>
                    ((excluded.config -> 'deletions' ->> 'intervalMinutes')::double precision
                      * $6::double precision))) END`,
        [
          instance.id,
          write.intervalSeconds,
          instance.active,
          write.firstWatermark(upserted.inserted),
          JSON.stringify(resources),
          write.reconcileUnitSeconds,
        ],
      );
      await manager.query(
        `DELETE FROM schedules WHERE instance_id = $1 AND NOT (resource = ANY ($2::text[]))`,
        [instance.id, write.resources.map((entry) => entry.resource)],
      );
      return true;
    });
  }

  /** Tombstone: the instance and its schedules go (poll runs stay until pruned). */
  async deleteInstance(instanceId: string): Promise<void> {
    await this.db.query(`DELETE FROM instances WHERE id = $1`, [instanceId]);
  }

  /** Leases up to `limit` due rows, oldest due first. SKIP LOCKED lets replicas claim side by side
   * without waiting on each other; moving next_due_at to the lease expiry makes a crashed replica's
   * rows due again when its lease runs out. */
  async claimDue(limit: number, owner: string, leaseSeconds: number): Promise<ClaimedPoll[]> {
    return rows<ClaimedPoll>(
      this.db,
      `WITH due AS (
         SELECT instance_id, resource FROM schedules
          WHERE active AND next_due_at <= now()
          ORDER BY next_due_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE schedules s SET
           scheduled_for = CASE WHEN s.current_poll_id IS NULL THEN s.next_due_at ELSE s.scheduled_for END,
           current_poll_id = gen_random_uuid(), lease_owner = $2,
           lease_expires_at = now() + make_interval(secs => $3),
           next_due_at = now() + make_interval(secs => $3)
         FROM due WHERE s.instance_id = due.instance_id AND s.resource = due.resource
         RETURNING s.*
       )
       SELECT c.current_poll_id AS "pollId", c.instance_id AS "instanceId", c.resource,
              i.organization_id AS "organizationId", i.element_key AS "elementKey",
              i.element_config AS "elementConfig", c.config, c.interval_seconds AS "intervalSeconds",
              c.watermark, c.scheduled_for AS "scheduledFor", now() AS "claimedAt",
              c.consecutive_failures AS "consecutiveFailures"
         FROM claimed c JOIN instances i ON i.id = c.instance_id
        ORDER BY c.scheduled_for`,
      [limit, owner, leaseSeconds],
    );
  }

  /** Extends the leases of polls still running here; returns the ids whose lease was lost. The lease
   * token is the poll id with its owner: a claim after expiry gives the row a new poll id (under the
   * row lock), so an old token never matches again — even an expired lease nobody took over yet is
   * still safely ours to extend. */
  async renewLeases(pollIds: string[], owner: string, leaseSeconds: number): Promise<string[]> {
    if (pollIds.length === 0) return [];
    const renewed = await rows<{ id: string }>(
      this.db,
      `WITH renewed AS (
         UPDATE schedules SET lease_expires_at = now() + make_interval(secs => $3),
                              next_due_at = now() + make_interval(secs => $3)
          WHERE current_poll_id = ANY ($1::uuid[]) AND lease_owner = $2
          RETURNING current_poll_id AS id)
       SELECT id FROM renewed`,
      [pollIds, owner, leaseSeconds],
    );
    const kept = new Set(renewed.map((row) => row.id));
    return pollIds.filter((id) => !kept.has(id));
  }

  /** Ends a poll in one statement: the run is recorded and the schedule updated together. On success
   * the watermark moves to the window end — unless the API reset it meanwhile (compare-and-set on the
   * watermark the poll started from). Every update is fenced by the lease token (poll id and owner):
   * a poll whose lease was taken over changes nothing and is recorded as `superseded`. */
  async finish(outcome: RunOutcome): Promise<PollRunStatus> {
    const { poll } = outcome;
    const runParameters = [
      poll.pollId,
      poll.instanceId,
      poll.resource,
      poll.elementKey,
      poll.scheduledFor,
      outcome.startedAt,
      outcome.window.from,
      outcome.window.to,
      outcome.pages,
      outcome.records,
      outcome.status,
      outcome.error?.kind ?? null,
      outcome.error?.message ?? null,
      outcome.owner,
    ];
    let update: string;
    let updateParameters: unknown[];
    switch (outcome.status) {
      case 'succeeded':
        update = `UPDATE schedules SET
            watermark = CASE WHEN watermark = $15 THEN $8 ELSE watermark END,
            next_due_at = CASE WHEN poll_requested OR watermark <> $15 THEN now()
                          ELSE GREATEST(scheduled_for + make_interval(secs => interval_seconds), now()) END,
            poll_requested = false, state = 'ok', consecutive_failures = 0, last_error = NULL,
            last_success_at = now(), current_poll_id = NULL, lease_owner = NULL, lease_expires_at = NULL
          WHERE instance_id = $2 AND resource = $3 AND current_poll_id = $1 AND lease_owner = $14
          RETURNING 1`;
        updateParameters = [poll.watermark];
        break;
      case 'failed':
        update = `UPDATE schedules SET
            consecutive_failures = consecutive_failures + 1,
            state = CASE WHEN $16 OR consecutive_failures + 1 >= $17 THEN 'error' ELSE 'failing' END,
            last_error = $13, last_error_at = now(),
            next_due_at = CASE WHEN poll_requested THEN now()
                          ELSE now() + $15::double precision * interval '1 millisecond' END,
            poll_requested = false, current_poll_id = NULL, lease_owner = NULL, lease_expires_at = NULL
          WHERE instance_id = $2 AND resource = $3 AND current_poll_id = $1 AND lease_owner = $14
          RETURNING 1`;
        updateParameters = [
          outcome.retryInMs ?? 0,
          outcome.error?.permanent ?? false,
          outcome.errorAfterFailures ?? 1,
        ];
        break;
      case 'abandoned':
        // Shutdown: the watermark stays, the row is due at once for whichever replica is still up.
        update = `UPDATE schedules SET next_due_at = now(), current_poll_id = NULL, lease_owner = NULL,
                    lease_expires_at = NULL
          WHERE instance_id = $2 AND resource = $3 AND current_poll_id = $1 AND lease_owner = $14
          RETURNING 1`;
        updateParameters = [];
        break;
    }
    const [run] = await rows<{ status: PollRunStatus }>(
      this.db,
      `WITH updated AS (${update}) ${INSERT_RUN}`,
      [...runParameters, ...updateParameters],
    );
    return run?.status ?? 'superseded';
  }

  async findInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    const [instance] = await rows<InstanceRecord>(
      this.db,
      `SELECT id, organization_id AS "organizationId", element_key AS "elementKey",
              element_config AS "elementConfig", active, version,
              instance_created_at AS "instanceCreatedAt", updated_at AS "updatedAt"
         FROM instances WHERE id = $1`,
      [instanceId],
    );
    return instance;
  }

  async listSchedules(instanceId: string): Promise<ScheduleView[]> {
    return rows<ScheduleView>(
      this.db,
      `SELECT instance_id AS "instanceId", resource, active, interval_seconds AS "intervalSeconds",
              next_due_at AS "nextDueAt", watermark, state, consecutive_failures AS "consecutiveFailures",
              last_error AS "lastError", last_error_at AS "lastErrorAt", last_success_at AS "lastSuccessAt",
              poll_requested AS "pollRequested", current_poll_id AS "currentPollId",
              lease_owner AS "leaseOwner", lease_expires_at AS "leaseExpiresAt", created_at AS "createdAt",
              reconcile_next_due_at AS "reconcileNextDueAt", reconcile_requested AS "reconcileRequested",
              reconcile_run_id AS "reconcileRunId", reconcile_lease_expires_at AS "reconcileLeaseExpiresAt",
              last_reconciliation AS "lastReconciliation"
         FROM schedules WHERE instance_id = $1 ORDER BY resource`,
      [instanceId],
    );
  }

  /** "Poll now": due at once when idle, right after the poll in flight otherwise. */
  async requestPoll(instanceId: string, resource: string | undefined): Promise<number> {
    const updated = await rows<{ resource: string }>(
      this.db,
      `WITH requested AS (
         UPDATE schedules SET
           next_due_at = CASE WHEN current_poll_id IS NULL THEN now() ELSE next_due_at END,
           poll_requested = current_poll_id IS NOT NULL
         WHERE instance_id = $1 AND ($2::text IS NULL OR resource = $2) AND active
         RETURNING resource)
       SELECT resource FROM requested`,
      [instanceId, resource ?? null],
    );
    return updated.length;
  }

  /** Backfill / skip: the next window starts at `watermark`; a poll in flight will not overwrite it. */
  async resetWatermark(instanceId: string, resource: string, watermark: Date): Promise<boolean> {
    const updated = await rows<{ resource: string }>(
      this.db,
      `WITH reset AS (
         UPDATE schedules SET watermark = $3, state = 'ok', consecutive_failures = 0,
           next_due_at = CASE WHEN current_poll_id IS NULL THEN now() ELSE next_due_at END,
           poll_requested = current_poll_id IS NOT NULL
         WHERE instance_id = $1 AND resource = $2
         RETURNING resource)
       SELECT resource FROM reset`,
      [instanceId, resource, watermark],
    );
    return updated.length > 0;
  }

  /** For the watermark-age gauge and the error gauge: worst values per element and resource. */
  async healthByResource(): Promise<
    { elementKey: string; resource: string; maxWatermarkAgeSeconds: number; inError: number }[]
  > {
    const result = await rows<{
      elementKey: string;
      resource: string;
      maxWatermarkAgeSeconds: string | number;
      inError: string | number;
    }>(
      this.db,
      `SELECT i.element_key AS "elementKey", s.resource,
              COALESCE(max(extract(epoch FROM now() - s.watermark)), 0) AS "maxWatermarkAgeSeconds",
              count(*) FILTER (WHERE s.state = 'error') AS "inError"
         FROM schedules s JOIN instances i ON i.id = s.instance_id
        WHERE s.active
        GROUP BY i.element_key, s.resource`,
    );
    return result.map((row) => ({
      elementKey: row.elementKey,
      resource: row.resource,
      maxWatermarkAgeSeconds: Number(row.maxWatermarkAgeSeconds),
      inError: Number(row.inError),
    }));
  }
}
