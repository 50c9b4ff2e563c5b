export * from './database';
export * from './sql-migration';
export * from './copy-rows';
export * from './notification-listener';
