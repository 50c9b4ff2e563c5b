import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A migration made only of SQL statements, run in order (TypeORM wraps each migration in a transaction). */
export interface SqlMigrationSteps {
  up: readonly string[];
  down: readonly string[];
}

/**
 * The migration class TypeORM runs for `steps`, named `<What><13-digit timestamp>` (TypeORM orders
 * migrations by that timestamp and records the name). Every service's migrations are plain SQL, so one
 * factory holds the class shape they would otherwise each repeat.
 */
export function sqlMigration(name: string, steps: SqlMigrationSteps): new () => MigrationInterface {
  if (!/^[A-Z][A-Za-z]*\d{13}$/.test(name)) {
    throw new Error(`migration name ${name} is not <What><13-digit timestamp>`);
  }
  return class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of steps.up) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const statement of steps.down) await queryRunner.query(statement);
    }
  };
}
