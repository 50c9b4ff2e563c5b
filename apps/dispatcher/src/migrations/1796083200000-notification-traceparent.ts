import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The W3C traceparent a notification's delivery continues: the trace context crosses the dispatcher's
 * own database hop (consumer writes, worker delivers) here, as it crosses Kafka in headers. */
export class NotificationTraceparent1796083200000 implements MigrationInterface {
  name = 'NotificationTraceparent1796083200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notifications ADD COLUMN IF NOT EXISTS traceparent text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notifications DROP COLUMN IF EXISTS traceparent`);
  }
}
