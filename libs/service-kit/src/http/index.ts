export * from './errors';
export * from './input-guard';
export * from './openapi';
export * from './paging';
export * from './query-schemas';
export * from './rate-limiter';
export * from './stored-text';
export * from './validation';
