import { sqlMigration } from '@pollcast/service-kit';
import { Reconciliation1764900000000 } from './1764900000000-reconciliation';

/** Schema `poller` (search_path is set to it by service-kit, so names are unqualified). */
export const PollerSchema1764441600000 = sqlMigration('PollerSchema1764441600000', {
  up: [
    `
      CREATE TABLE instances (
        id text PRIMARY KEY,
        organization_id text NOT NULL,
        element_key text NOT NULL,
        element_config jsonb NOT NULL,
        active boolean NOT NULL,
        version integer NOT NULL,
        instance_created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    `
      CREATE TABLE schedules (
        instance_id text NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
        resource text NOT NULL,
        config jsonb NOT NULL,
        interval_seconds integer NOT NULL CHECK (interval_seconds > 0),
        active boolean NOT NULL,
        next_due_at timestamptz NOT NULL,
        scheduled_for timestamptz,
        watermark timestamptz NOT NULL,
        state text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'failing', 'error')),
        consecutive_failures integer NOT NULL DEFAULT 0,
        last_error text,
        last_error_at timestamptz,
        last_success_at timestamptz,
        poll_requested boolean NOT NULL DEFAULT false,
        current_poll_id uuid,
        lease_owner text,
        lease_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (instance_id, resource)
      )`,
    // The claim query walks this index in due order and stops after a batch.
    `CREATE INDEX schedules_due ON schedules (next_due_at) WHERE active`,
    `CREATE UNIQUE INDEX schedules_current_poll ON schedules (current_poll_id)`,
    `
      CREATE TABLE poll_runs (
        id uuid PRIMARY KEY,
        instance_id text NOT NULL,
        resource text NOT NULL,
        element_key text NOT NULL,
        scheduled_for timestamptz NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        window_from timestamptz NOT NULL,
        window_to timestamptz NOT NULL,
        pages integer NOT NULL,
        records integer NOT NULL,
        status text NOT NULL CHECK (status IN ('succeeded', 'failed', 'abandoned', 'superseded')),
        error_kind text,
        error text,
        owner text NOT NULL
      )`,
    `CREATE INDEX poll_runs_instance ON poll_runs (instance_id, started_at DESC, id DESC)`,
    `CREATE INDEX poll_runs_started ON poll_runs (started_at)`,
  ],
  down: [`DROP TABLE poll_runs`, `DROP TABLE schedules`, `DROP TABLE instances`],
});

export const POLLER_MIGRATIONS = [PollerSchema1764441600000, Reconciliation1764900000000];
