import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Schema `dispatcher` (service-kit sets search_path to it, so names are unqualified). */
export class DispatcherSchema1764460800000 implements MigrationInterface {
  name = 'DispatcherSchema1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Delivery settings from instance snapshots (never secrets: the key is fetched when sending).
    await queryRunner.query(`
      CREATE TABLE instance_settings (
        instance_id text PRIMARY KEY,
        organization_id text NOT NULL,
        element_key text NOT NULL,
        enabled boolean NOT NULL,
        events_enabled boolean NOT NULL,
        callback_url text,
        has_signature_key boolean NOT NULL,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The dispatcher's own state per instance: deactivated after exhausted retries until redelivery.
    await queryRunner.query(`
      CREATE TABLE subscriptions (
        instance_id text PRIMARY KEY,
        active boolean NOT NULL,
        deactivated_at timestamptz,
        reason text
      )`);
    await queryRunner.query(`
      CREATE TABLE events (
        event_id text PRIMARY KEY,
        instance_id text NOT NULL,
        organization_id text NOT NULL,
        element_key text NOT NULL,
        resource text NOT NULL,
        object_id text NOT NULL,
        event_type text NOT NULL,
        event_date timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        correlation_id text,
        event jsonb NOT NULL,
        notification_id uuid
      )`);
    await queryRunner.query(
      `CREATE INDEX events_instance_received ON events (instance_id, received_at, event_id)`,
    );
    await queryRunner.query(`CREATE INDEX events_notification ON events (notification_id)`);
    await queryRunner.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        instance_id text NOT NULL,
        organization_id text NOT NULL,
        resource text NOT NULL,
        event_ids text[] NOT NULL,
        body text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'SENDING', 'RETRYING', 'DELIVERED', 'QUEUED', 'FAILED')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        delivered_at timestamptz,
        last_status_code integer,
        last_error text,
        replay_of uuid
      )`);
    // The claim walks this index in due order; SENDING rows become due again when their lease expires.
    await queryRunner.query(`
      CREATE INDEX notifications_due ON notifications (next_attempt_at)
      WHERE status IN ('PENDING', 'RETRYING', 'SENDING')`);
    await queryRunner.query(
      `CREATE INDEX notifications_instance_status ON notifications (instance_id, status)`,
    );
    await queryRunner.query(`CREATE INDEX notifications_event_ids ON notifications USING gin (event_ids)`);
    await queryRunner.query(`
      CREATE TABLE delivery_attempts (
        id bigserial PRIMARY KEY,
        notification_id uuid NOT NULL,
        instance_id text NOT NULL,
        attempt integer NOT NULL,
        attempted_at timestamptz NOT NULL,
        status_code integer,
        latency_ms integer NOT NULL,
        outcome text NOT NULL,
        error text,
        response_body text
      )`);
    await queryRunner.query(
      `CREATE INDEX delivery_attempts_notification ON delivery_attempts (notification_id, id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'delivery_attempts',
      'notifications',
      'events',
      'subscriptions',
      'instance_settings',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
