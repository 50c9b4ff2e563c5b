import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Dedupe state per (instance, resource, objectId). Unqualified names resolve to the `normalizer` schema
 * (search_path). */
export class ObjectState1764500000000 implements MigrationInterface {
  name = 'ObjectState1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE object_state (
        instance_id   text        NOT NULL,
        resource      text        NOT NULL,
        object_id     text        NOT NULL,
        updated_ms    bigint,
        content_hash  text        NOT NULL,
        last_event_id uuid        NOT NULL,
        last_poll_id  text        NOT NULL,
        changed_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (instance_id, resource, object_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE object_state');
  }
}
