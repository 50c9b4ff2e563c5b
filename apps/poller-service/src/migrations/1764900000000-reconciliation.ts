import { sqlMigration } from '@pollcast/service-kit';

/**
 * Deletion detection by reconciliation (issue 17). A reconciliation is leased on its schedule row like a
 * poll, by its own columns, so a poll and a reconciliation of one resource run side by side.
 * `known_objects` holds the ids this service knows exist per (instance, resource): the ids its polls
 * published and the ids its reconciliations listed. A listing marks the rows it saw with its run id; on
 * a complete listing the rows it did not mark (and that no poll saw since it started) are the deletions.
 */
export const Reconciliation1764900000000 = sqlMigration('Reconciliation1764900000000', {
  up: [
    `ALTER TABLE schedules
        ADD COLUMN reconcile_next_due_at timestamptz,
        ADD COLUMN reconcile_requested boolean NOT NULL DEFAULT false,
        ADD COLUMN reconcile_run_id uuid,
        ADD COLUMN reconcile_started_at timestamptz,
        ADD COLUMN reconcile_lease_owner text,
        ADD COLUMN reconcile_lease_expires_at timestamptz,
        ADD COLUMN last_reconciliation jsonb`,
    `CREATE INDEX schedules_reconcile_due ON schedules (reconcile_next_due_at)
        WHERE active AND reconcile_next_due_at IS NOT NULL`,
    `CREATE UNIQUE INDEX schedules_reconcile_run ON schedules (reconcile_run_id)`,
    `CREATE TABLE known_objects (
        instance_id text NOT NULL,
        resource text NOT NULL,
        object_id text NOT NULL,
        last_seen_at timestamptz NOT NULL,
        listed_run uuid,
        PRIMARY KEY (instance_id, resource, object_id),
        FOREIGN KEY (instance_id, resource) REFERENCES schedules (instance_id, resource) ON DELETE CASCADE
      )`,
  ],
  down: [
    'DROP TABLE known_objects',
    `ALTER TABLE schedules DROP COLUMN reconcile_next_due_at, DROP COLUMN reconcile_requested,
        DROP COLUMN reconcile_run_id, DROP COLUMN reconcile_started_at, DROP COLUMN reconcile_lease_owner,
        DROP COLUMN reconcile_lease_expires_at, DROP COLUMN last_reconciliation`,
  ],
});
