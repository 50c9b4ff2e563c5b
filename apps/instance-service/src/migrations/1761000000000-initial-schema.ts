import { sqlMigration } from '@pollcast/service-kit';

/** Tenants, instances with their encrypted credentials, and the transactional outbox. */
export const InitialSchema1761000000000 = sqlMigration('InitialSchema1761000000000', {
  up: [
    `
      CREATE TABLE organizations (
        id bigserial PRIMARY KEY,
        name text NOT NULL,
        secret_hash text NOT NULL,
        secret_fingerprint text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
    `
      CREATE TABLE users (
        id bigserial PRIMARY KEY,
        organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        email text NOT NULL,
        secret_hash text NOT NULL,
        secret_fingerprint text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, email)
      )`,
    `
      CREATE TABLE instances (
        id bigserial PRIMARY KEY,
        organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        element_key text NOT NULL,
        name text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        disabled boolean NOT NULL DEFAULT false,
        valid boolean NOT NULL DEFAULT true,
        events_enabled boolean NOT NULL DEFAULT false,
        token_fingerprint text NOT NULL UNIQUE,
        token_ciphertext text NOT NULL,
        config_ciphertext text NOT NULL,
        public_config jsonb NOT NULL,
        version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    'CREATE INDEX instances_organization_idx ON instances (organization_id, id)',
    'CREATE INDEX instances_tags_idx ON instances USING gin (tags)',
    `
      CREATE TABLE instance_credentials (
        instance_id bigint PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
        access_token_ciphertext text NOT NULL,
        refresh_token_ciphertext text NOT NULL,
        expires_at timestamptz NOT NULL,
        refreshed_at timestamptz NOT NULL DEFAULT now(),
        refresh_failure text
      )`,
    `
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        value jsonb,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
  ],
  down: [
    'DROP TABLE IF EXISTS outbox',
    'DROP TABLE IF EXISTS instance_credentials',
    'DROP TABLE IF EXISTS instances',
    'DROP TABLE IF EXISTS users',
    'DROP TABLE IF EXISTS organizations',
  ],
});
