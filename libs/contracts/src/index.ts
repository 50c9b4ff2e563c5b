export * from './topics';
export * from './headers';
export * from './messages';
export * from './storable-text';
export * from './internal-api';
