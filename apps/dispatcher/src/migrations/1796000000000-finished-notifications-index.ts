import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Finished notifications by age, for the history retention job. */
export class FinishedNotificationsIndex1796000000000 implements MigrationInterface {
  name = 'FinishedNotificationsIndex1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX notifications_finished ON notifications (updated_at) WHERE status IN ('DELIVERED', 'FAILED')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS notifications_finished`);
  }
}
