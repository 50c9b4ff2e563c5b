export * from './kafka-client';
export * from './consumer-runner';
