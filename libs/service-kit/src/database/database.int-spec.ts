import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTestDatabase } from '@pollcast/testing';
import { openServiceDatabase } from './database';

@Entity({ name: 'widgets' })
class Widget {
  @PrimaryColumn('text') id!: string;
  @Column('integer') size!: number;
}

class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "widgets" ("id" text PRIMARY KEY, "size" integer NOT NULL)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "widgets"');
  }
}

describe('service database on the real PostgreSQL', () => {
  it('creates the schema, migrates once even when replicas start together, and round-trips a row', async () => {
    const url = await createTestDatabase('kit');
    const options = {
      url,
      schema: 'widgets_service',
      entities: [Widget],
      migrations: [CreateWidgets1700000000000],
      poolSize: 2,
      applicationName: 'test',
    };
    const [first, second] = await Promise.all([openServiceDatabase(options), openServiceDatabase(options)]);
    try {
      const applied = await first.query<{ name: string }[]>(
        'SELECT name FROM "widgets_service"."migrations"',
      );
      expect(applied.map((row) => row.name)).toEqual(['CreateWidgets1700000000000']);
      await first.getRepository(Widget).save({ id: 'w1', size: 3 });
      expect(await second.getRepository(Widget).findOneBy({ id: 'w1' })).toEqual({ id: 'w1', size: 3 });
      const tables = await first.query<{ table_schema: string }[]>(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'widgets'",
      );
      expect(tables).toEqual([{ table_schema: 'widgets_service' }]);
    } finally {
      await Promise.all([first.destroy(), second.destroy()]);
    }
  });
});
