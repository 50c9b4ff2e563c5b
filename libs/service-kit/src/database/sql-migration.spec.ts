import type { QueryRunner } from 'typeorm';
import { sqlMigration } from './sql-migration';

describe('sqlMigration', () => {
  it('runs its statements in order, up and down, under the name TypeORM orders by', async () => {
    const Migration = sqlMigration('Things1700000000000', {
      up: ['CREATE TABLE a ()', 'CREATE TABLE b ()'],
      down: ['DROP TABLE b', 'DROP TABLE a'],
    });
    const ran: string[] = [];
    const queryRunner = { query: (sql: string) => Promise.resolve(ran.push(sql)) } as unknown as QueryRunner;
    const migration = new Migration();
    expect(migration.name).toBe('Things1700000000000');
    await migration.up(queryRunner);
    await migration.down(queryRunner);
    expect(ran).toEqual(['CREATE TABLE a ()', 'CREATE TABLE b ()', 'DROP TABLE b', 'DROP TABLE a']);
  });

  it('refuses a name without its 13-digit timestamp', () => {
    expect(() => sqlMigration('Things', { up: [], down: [] })).toThrow(/13-digit timestamp/);
  });
});
