import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ResourcePoller } from '@pollcast/contracts';

/** A due reconciliation this replica now holds a lease on. */
export interface ClaimedReconciliation {
  runId: string;
  instanceId: string;
  resource: string;
  organizationId: string;
  elementKey: string;
  elementConfig: Record<string, string>;
  config: ResourcePoller;
  /** The listing started at or after this instant: ids a poll published since are not deletions. */
  startedAt: Date;
}

/** What the poller state shows of the last finished reconciliation of a resource. */
export interface LastReconciliation {
  runId: string;
  status: 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Ids the listing returned (every page: a failed listing counts what it read before failing). */
  idsListed: number;
  /** Ids known before and not listed, published as deletions (0 for a failed listing). */
  deletionsFound: number;
  error?: string;
}

/**
 * Every SQL statement of reconciliations: their leases on `schedules`, and `known_objects` — the ids
 * this service knows exist. The set difference (known − listed) is computed here, a page at a time, in
 * PostgreSQL: no replica ever holds a resource's ids in memory.
 */
@Injectable()
export class ReconciliationStore {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Leases up to `limit` due reconciliations (SKIP LOCKED, like polls). The lease moves the due time
   * to its expiry, so a crashed replica's reconciliation is due again, as a new run, when it runs out. */
  async claimDue(limit: number, owner: string, leaseSeconds: number): Promise<ClaimedReconciliation[]> {
    if (limit <= 0) return [];
    return this.db.query<ClaimedReconciliation[]>(
      `WITH due AS (
         SELECT instance_id, resource FROM schedules
          WHERE active AND reconcile_next_due_at <= now()
          ORDER BY reconcile_next_due_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE schedules s SET
           reconcile_run_id = gen_random_uuid(), reconcile_lease_owner = $2, reconcile_started_at = now(),
           reconcile_lease_expires_at = now() + make_interval(secs => $3),
           reconcile_next_due_at = now() + make_interval(secs => $3), reconcile_requested = false
         FROM due WHERE s.instance_id = due.instance_id AND s.resource = due.resource
         RETURNING s.*
       )
       SELECT c.reconcile_run_id AS "runId", c.instance_id AS "instanceId", c.resource,
              i.organization_id AS "organizationId", i.element_key AS "elementKey",
              i.element_config AS "elementConfig", c.config, c.reconcile_started_at AS "startedAt"
         FROM claimed c JOIN instances i ON i.id = c.instance_id`,
      [limit, owner, leaseSeconds],
    );
  }

  /** Extends the leases of reconciliations still running here; returns the run ids whose lease was lost. */
  async renewLeases(runIds: string[], leaseSeconds: number): Promise<string[]> {
    if (runIds.length === 0) return [];
    const renewed = await this.db.query<{ id: string }[]>(
      `WITH renewed AS (
         UPDATE schedules SET reconcile_lease_expires_at = now() + make_interval(secs => $2),
                              reconcile_next_due_at = now() + make_interval(secs => $2)
          WHERE reconcile_run_id = ANY ($1::uuid[])
          RETURNING reconcile_run_id AS id)
       SELECT id FROM renewed`,
      [runIds, leaseSeconds],
    );
    const kept = new Set(renewed.map((row) => row.id));
    return runIds.filter((id) => !kept.has(id));
  }

  /** One listed page: its ids are known to exist, marked as seen by this run. */
  async recordListedPage(run: ClaimedReconciliation, objectIds: readonly string[]): Promise<void> {
    if (objectIds.length === 0) return;
    await this.db.query(
      `INSERT INTO known_objects AS k (instance_id, resource, object_id, last_seen_at, listed_run)
       SELECT $1, $2, id, $4, $5 FROM (SELECT DISTINCT unnest($3::text[]) AS id) AS page
       ON CONFLICT (instance_id, resource, object_id) DO UPDATE SET listed_run = excluded.listed_run`,
      [run.instanceId, run.resource, objectIds, run.startedAt, run.runId],
    );
  }

  /** Ids a poll published: known to exist, seen now. */
  async recordPublished(instanceId: string, resource: string, objectIds: readonly string[]): Promise<void> {
    if (objectIds.length === 0) return;
    await this.db.query(
      `INSERT INTO known_objects AS k (instance_id, resource, object_id, last_seen_at)
       SELECT $1, $2, id, now() FROM (SELECT DISTINCT unnest($3::text[]) AS id) AS page
       ON CONFLICT (instance_id, resource, object_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
      [instanceId, resource, objectIds],
    );
  }

  /** The next page of deletions after a complete listing: known ids this run did not list, and that no
   * poll published since the run started, in id order after `after`. */
  async nextDeletions(run: ClaimedReconciliation, after: string | null, limit: number): Promise<string[]> {
    const found = await this.db.query<{ object_id: string }[]>(
      `SELECT object_id FROM known_objects
        WHERE instance_id = $1 AND resource = $2 AND ($3::text IS NULL OR object_id > $3)
          AND listed_run IS DISTINCT FROM $4 AND last_seen_at < $5
        ORDER BY object_id
        LIMIT $6`,
      [run.instanceId, run.resource, after, run.runId, run.startedAt, limit],
    );
    return found.map((row) => row.object_id);
  }

  /** Published deletions are no longer known (unless a poll saw the id meanwhile). */
  async forget(run: ClaimedReconciliation, objectIds: readonly string[]): Promise<void> {
    if (objectIds.length === 0) return;
    await this.db.query(
      `DELETE FROM known_objects
        WHERE instance_id = $1 AND resource = $2 AND object_id = ANY ($3::text[])
          AND listed_run IS DISTINCT FROM $4 AND last_seen_at < $5`,
      [run.instanceId, run.resource, objectIds, run.runId, run.startedAt],
    );
  }

  /** Ends a run: records it for the poller state and schedules the next one (at once if asked for
   * meanwhile, after `retryInSeconds` when it failed, else one interval after it started). A run whose
   * lease was taken over changes nothing and answers false. */
  async finish(
    run: ClaimedReconciliation,
    outcome: LastReconciliation,
    intervalSeconds: number,
    retryInSeconds: number,
  ): Promise<boolean> {
    const updated = await this.db.query<{ ok: number }[]>(
      `WITH finished AS (
         UPDATE schedules SET
           last_reconciliation = $4::jsonb,
           reconcile_next_due_at = CASE
             WHEN config -> 'deletions' ->> 'mode' IS DISTINCT FROM 'reconcile' THEN NULL
             WHEN reconcile_requested THEN now()
             WHEN $5 THEN now() + make_interval(secs => $6)
             ELSE GREATEST(reconcile_started_at + make_interval(secs => $7), now()) END,
           reconcile_requested = false, reconcile_run_id = NULL, reconcile_lease_owner = NULL,
           reconcile_lease_expires_at = NULL
         WHERE instance_id = $1 AND resource = $2 AND reconcile_run_id = $3
         RETURNING 1 AS ok)
       SELECT ok FROM finished`,
      [
        run.instanceId,
        run.resource,
        run.runId,
        JSON.stringify(outcome),
        outcome.status === 'failed',
        retryInSeconds,
        intervalSeconds,
      ],
    );
    return updated.length > 0;
  }

  /** Shutdown: the run is dropped (its listing marks are harmless) and due again at once elsewhere. */
  async release(run: ClaimedReconciliation): Promise<void> {
    await this.db.query(
      `WITH released AS (
         UPDATE schedules SET reconcile_next_due_at = now(), reconcile_run_id = NULL,
                              reconcile_lease_owner = NULL, reconcile_lease_expires_at = NULL
          WHERE instance_id = $1 AND resource = $2 AND reconcile_run_id = $3
          RETURNING 1)
       SELECT 1 FROM released`,
      [run.instanceId, run.resource, run.runId],
    );
  }

  /** "Reconcile now" (API): due at once when idle, right after the run in flight otherwise; only
   * resources whose deletions are reconciled. Returns how many resources it applied to. */
  async request(instanceId: string, resource: string | undefined): Promise<number> {
    const updated = await this.db.query<{ resource: string }[]>(
      `WITH requested AS (
         UPDATE schedules SET
           reconcile_next_due_at = CASE WHEN reconcile_run_id IS NULL THEN now() ELSE reconcile_next_due_at END,
           reconcile_requested = reconcile_run_id IS NOT NULL
         WHERE instance_id = $1 AND ($2::text IS NULL OR resource = $2) AND active
           AND reconcile_next_due_at IS NOT NULL
         RETURNING resource)
       SELECT resource FROM requested`,
      [instanceId, resource ?? null],
    );
    return updated.length;
  }
}
