import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Attempts of one instance by time, for the delivery charts (GET …/delivery-stats). */
export class DeliveryAttemptsInstanceIndex1796200000000 implements MigrationInterface {
  name = 'DeliveryAttemptsInstanceIndex1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX delivery_attempts_instance_attempted ON delivery_attempts (instance_id, attempted_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS delivery_attempts_instance_attempted`);
  }
}
