import { sqlMigration } from '@pollcast/service-kit';

/** Schema `dispatcher` (service-kit sets search_path to it, so names are unqualified). */
export const DispatcherSchema1764460800000 = sqlMigration('DispatcherSchema1764460800000', {
  up: [
    // Delivery settings from instance snapshots (never secrets: the key is fetched when sending).
    `
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
      )`,
    // The dispatcher's own state per instance: deactivated after exhausted retries until redelivery.
    `
      CREATE TABLE subscriptions (
        instance_id text PRIMARY KEY,
        active boolean NOT NULL,
        deactivated_at timestamptz,
        reason text
      )`,
    `
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
      )`,
    `CREATE INDEX events_instance_received ON events (instance_id, received_at, event_id)`,
    `CREATE INDEX events_notification ON events (notification_id)`,
    `
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
      )`,
    // The claim walks this index in due order; SENDING rows become due again when their lease expires.
    `
      CREATE INDEX notifications_due ON notifications (next_attempt_at)
      WHERE status IN ('PENDING', 'RETRYING', 'SENDING')`,
    `CREATE INDEX notifications_instance_status ON notifications (instance_id, status)`,
    `CREATE INDEX notifications_event_ids ON notifications USING gin (event_ids)`,
    `
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
      )`,
    `CREATE INDEX delivery_attempts_notification ON delivery_attempts (notification_id, id)`,
  ],
  down: [
    'DROP TABLE IF EXISTS delivery_attempts',
    'DROP TABLE IF EXISTS notifications',
    'DROP TABLE IF EXISTS events',
    'DROP TABLE IF EXISTS subscriptions',
    'DROP TABLE IF EXISTS instance_settings',
  ],
});
