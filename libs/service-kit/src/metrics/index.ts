export * from './metrics';
export * from './metric-factory';
