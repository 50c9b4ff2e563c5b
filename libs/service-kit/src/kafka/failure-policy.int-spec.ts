import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, freePort } from '@pollcast/testing';
import { classifyFailure } from './failure-policy';

/** The classification against what the real PostgreSQL and drivers raise, not hand-made fakes. */
describe('classifyFailure on real PostgreSQL errors', () => {
  let url: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    url = await createTestDatabase('policy');
    dataSource = new DataSource({ type: 'postgres', url });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const failureOf = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      return classifyFailure(error);
    }
    throw new Error('expected a failure');
  };

  it('text PostgreSQL cannot store is deterministic, through TypeORM', async () => {
    const nulInJsonb = await failureOf(() =>
      dataSource.query('SELECT $1::jsonb', [JSON.stringify({ notes: 'a\u0000b' })]),
    );
    expect(nulInJsonb).toMatchObject({ kind: 'deterministic', code: 'pg_22P05' });
    const nulInText = await failureOf(() => dataSource.query('SELECT $1::text', ['a\u0000b']));
    expect(nulInText).toMatchObject({ kind: 'deterministic', code: 'pg_22021' });
    const loneSurrogate = await failureOf(() =>
      dataSource.query('SELECT $1::jsonb', [JSON.stringify({ notes: 'x\uDC00' })]),
    );
    expect(loneSurrogate).toMatchObject({ kind: 'deterministic', code: 'pg_22P02' });
    // The description is PostgreSQL's message, not the query's parameters.
    expect(nulInJsonb.description).not.toContain('notes');
  });

  it('a lock conflict is transient', async () => {
    await dataSource.query('CREATE TABLE IF NOT EXISTS locked (id int PRIMARY KEY)');
    await dataSource.query('INSERT INTO locked VALUES (1) ON CONFLICT DO NOTHING');
    const holder = dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query('SELECT * FROM locked WHERE id = 1 FOR UPDATE');
      const conflict = await failureOf(() =>
        dataSource.query('SELECT * FROM locked WHERE id = 1 FOR UPDATE NOWAIT'),
      );
      expect(conflict).toMatchObject({ kind: 'transient', code: 'pg_55P03' });
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it('a database that does not answer is transient', async () => {
    const closed = new URL(url);
    closed.port = String(await freePort());
    const client = new Client({ connectionString: closed.toString(), connectionTimeoutMillis: 2000 });
    expect(await failureOf(() => client.connect())).toMatchObject({ kind: 'transient' });
  });
});
