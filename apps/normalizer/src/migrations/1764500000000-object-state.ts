import { sqlMigration } from '@pollcast/service-kit';

/** Dedupe state per (instance, resource, objectId). Unqualified names resolve to the `normalizer` schema
 * (search_path). */
export const ObjectState1764500000000 = sqlMigration('ObjectState1764500000000', {
  up: [
    `CREATE TABLE object_state (
        instance_id   text        NOT NULL,
        resource      text        NOT NULL,
        object_id     text        NOT NULL,
        updated_ms    bigint,
        content_hash  text        NOT NULL,
        last_event_id uuid        NOT NULL,
        last_poll_id  text        NOT NULL,
        changed_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (instance_id, resource, object_id)
      )`,
  ],
  down: ['DROP TABLE object_state'],
});
