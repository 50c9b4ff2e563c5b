import { Client } from 'pg';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';

export interface ServiceDatabaseOptions {
  url: string;
  /** The service's own schema; no service reads another's. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize: number;
  applicationName: string;
}

export function dataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    applicationName: options.applicationName,
    // Unqualified names (raw SQL in migrations and queries) resolve to the service's own schema.
    extra: {
      max: options.poolSize,
      connectionTimeoutMillis: 5000,
      options: `-c search_path=${options.schema}`,
    },
  };
}

/**
 * Creates the schema and runs the service's migrations under an advisory lock, so replicas that
 * start together migrate once; then returns the initialized DataSource.
 */
export async function openServiceDatabase(options: ServiceDatabaseOptions): Promise<DataSource> {
  const lockClient = new Client({
    connectionString: options.url,
    application_name: `${options.applicationName}-migrate`,
  });
  await lockClient.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock(hashtext($1))', [`pollcast-migrate-${options.schema}`]);
    await lockClient.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema.replace(/"/g, '""')}"`);
    const dataSource = new DataSource(dataSourceOptions(options));
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
    return dataSource;
  } finally {
    await lockClient
      .query('SELECT pg_advisory_unlock(hashtext($1))', [`pollcast-migrate-${options.schema}`])
      .catch(() => undefined);
    await lockClient.end();
  }
}
