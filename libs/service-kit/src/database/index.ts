export * from './database';
export * from './sql-migration';
