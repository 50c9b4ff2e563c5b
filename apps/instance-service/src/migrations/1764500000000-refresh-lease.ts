import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refresh lease per instance: the replica that takes it calls the provider with no transaction open
 * (a slow provider must not hold a connection or a row lock); the others wait for its result. A lease
 * left by a crashed replica runs out on its own.
 */
export class RefreshLease1764500000000 implements MigrationInterface {
  name = 'RefreshLease1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE instance_credentials ADD COLUMN refresh_lease_until timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE instance_credentials DROP COLUMN IF EXISTS refresh_lease_until`);
  }
}
